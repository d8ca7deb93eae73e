/**
 * Scans waiting for their verdict: answered in arrival order, one per
 * macrotask (so signals and I/O are not starved; lines a driver emits in one
 * go wait here, not in a synchronous loop), and bounded. A person scans
 * at most a few times a second and the kiosk answers in milliseconds, so a
 * long queue only ever means a flood (line noise, a scanner stuck sending):
 * beyond `max` waiting scans, new ones are refused, counted and logged once
 * per flood, and memory stays flat while real scans wait behind at most `max`.
 *
 * An answer may be a promise (a scan waiting for its online claim): the next
 * scan waits until it settles, so verdicts stay one at a time and in order,
 * while the event loop stays free (scans keep arriving and queue up).
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from './logger.js';

export interface QueuedScan {
  text: string;
  /** performance.now() when the line arrived */
  receivedAt: number;
}

export const DEFAULT_MAX_QUEUED_SCANS = 32;

export class ScanQueue {
  private readonly queue: QueuedScan[] = [];
  private draining = false;
  private refused = 0;

  constructor(
    private readonly answer: (scan: QueuedScan) => void | Promise<void>,
    private readonly opts: { log: Logger; max?: number; isOpen: () => boolean },
  ) {}

  /** A scan is being answered or waits. */
  get busy(): boolean {
    return this.draining || this.queue.length > 0;
  }

  /** Queue one scan (answered in the next macrotask); false when it was refused because the queue is full. */
  push(text: string): boolean {
    if (this.queue.length >= (this.opts.max ?? DEFAULT_MAX_QUEUED_SCANS)) {
      if (this.refused++ === 0) this.opts.log.warn({ waiting: this.queue.length }, 'scan queue full: scans refused until it drains');
      return false;
    }
    this.queue.push({ text, receivedAt: performance.now() });
    if (!this.draining) {
      this.draining = true;
      setImmediate(() => this.drain());
    }
    return true;
  }

  /** Forget what waits (stopping); returns how many scans were dropped. */
  clear(): number {
    const n = this.queue.length;
    this.queue.length = 0;
    return n;
  }

  /** Resolves once every scan received so far has its verdict. */
  async drained(): Promise<void> {
    while (this.busy) await new Promise((r) => setImmediate(r));
  }

  private drain(): void {
    const scan = this.queue.shift();
    if (scan === undefined || !this.opts.isOpen()) {
      this.draining = false;
      this.flushRefused();
      return;
    }
    let pending: void | Promise<void> = undefined;
    try {
      pending = this.answer(scan);
    } catch (err) {
      this.opts.log.error({ err }, 'unexpected error while processing a scan');
    }
    if (pending instanceof Promise) {
      pending.catch((err: unknown) => this.opts.log.error({ err }, 'unexpected error while processing a scan')).finally(() => this.next());
      return;
    }
    this.next();
  }

  private next(): void {
    if (this.queue.length > 0) setImmediate(() => this.drain());
    else {
      this.draining = false;
      this.flushRefused();
    }
  }

  private flushRefused(): void {
    if (this.refused === 0) return;
    this.opts.log.warn({ refused: this.refused }, 'scan queue drained; scans refused while it was full (no verdict, not in the scan log)');
    this.refused = 0;
  }
}
