import type { Logger } from '../../device/logger.js';
import { ScannerBase } from './base.js';
import { ScannerError, type Scanner } from './port.js';
import { realTimers, type Timers } from './timers.js';

/** Reconnect delays: first retry after `initialMs`, doubling up to `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 5000 };

/**
 * The unplug/replug life of a device-backed scanner (serial, HID), so both
 * drivers keep one copy of it:
 * - start(): one open attempt; if the device is missing, state 'disconnected'
 *   (plus one SCANNER_OPEN_FAILED error) and retries with backoff, never a rejection;
 * - the subclass calls lost() on unplug: the partial line is dropped, state
 *   'disconnected' plus SCANNER_DISCONNECTED (disconnected = true), then retries;
 * - stop() cancels the retry timer, closes the device, emits nothing more.
 * Errors are emitted once per outage; the retries themselves log at debug.
 */
export abstract class ReconnectingScanner extends ScannerBase implements Scanner {
  abstract readonly name: string;
  private running = false;
  private retry: unknown = undefined;
  /** the open attempt in progress, so stop() can wait for it and close what it opened */
  private inflight: Promise<void> | undefined;
  private delayMs: number;
  /** an error was already reported for the current outage */
  private outageReported = false;
  private readonly backoff: Backoff;
  protected readonly timers: Timers;

  protected constructor(log: Logger, opts: { backoff?: Backoff; timers?: Timers }) {
    super(log);
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.timers = opts.timers ?? realTimers;
    this.delayMs = this.backoff.initialMs;
  }

  /** Open the device and start delivering lines; throw if it is not there. */
  protected abstract openDevice(): Promise<void>;
  /** Release the device and its listeners; must not throw, may be called twice. */
  protected abstract closeDevice(): Promise<void>;
  /** Forget a partial line. */
  protected abstract dropPartial(): void;

  /** Refuse a configuration that can never work (start() rejects), before any I/O. */
  protected validate(): void {}

  protected get isRunning(): boolean {
    return this.running;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.validate();
    this.running = true;
    this.delayMs = this.backoff.initialMs;
    this.outageReported = false;
    await this.attempt();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.cancelRetry();
    await this.inflight;
    this.dropPartial();
    await this.closeDevice();
    this.state = 'disconnected';
  }

  /** Subclasses deliver complete lines here. */
  protected deliver(line: string): void {
    if (this.running) this.emit('line', line);
  }

  /** The device went away (unplug, I/O error): report once, then retry. */
  protected lost(err: Error): void {
    if (!this.running || this.state === 'disconnected') return;
    this.dropPartial();
    void this.closeDevice();
    this.setState('disconnected');
    this.outageReported = true;
    this.report(new ScannerError('SCANNER_DISCONNECTED', `scanner ${this.name} disconnected: ${err.message}`, true, { cause: err }));
    this.delayMs = this.backoff.initialMs;
    this.scheduleRetry();
  }

  /** A failure that retrying cannot cure (module missing): report and stay disconnected. */
  protected giveUp(err: ScannerError): void {
    this.cancelRetry();
    this.setState('disconnected', true);
    this.report(err);
  }

  private attempt(): Promise<void> {
    this.retry = undefined;
    const run = this.tryOpen().finally(() => {
      if (this.inflight === run) this.inflight = undefined;
    });
    this.inflight = run;
    return run;
  }

  private async tryOpen(): Promise<void> {
    try {
      await this.openDevice();
    } catch (err) {
      if (!this.running) return;
      if (err instanceof ScannerError && err.code === 'SCANNER_MODULE_MISSING') return this.giveUp(err);
      this.openFailed(err as Error);
      return;
    }
    if (!this.running) return void (await this.closeDevice());
    this.delayMs = this.backoff.initialMs;
    this.outageReported = false;
    this.setState('connected');
  }

  private openFailed(err: Error): void {
    if (!this.outageReported) {
      this.outageReported = true;
      this.setState('disconnected', true);
      this.report(new ScannerError('SCANNER_OPEN_FAILED', `scanner ${this.name} not available: ${err.message}`, true, { cause: err }));
    } else this.log.debug({ err: err.message, retryInMs: this.delayMs }, 'scanner still missing');
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    this.cancelRetry();
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.backoff.maxMs);
    this.retry = this.timers.setTimeout(() => void this.attempt(), delay);
  }

  private cancelRetry(): void {
    if (this.retry === undefined) return;
    this.timers.clearTimeout(this.retry);
    this.retry = undefined;
  }
}
