/**
 * Makes the next export's data in idle time (ledger v5, migration-v5.ts):
 * every `everyMs` the service asks the ledger for the next complete chunk of
 * each platform's next batch, one short transaction at a time, each followed
 * by a passive WAL checkpoint, with the loop free between them; at most
 * `perTick` a tick, never while an export runs (this process's or another's),
 * and only for platforms an export can sign for. An export then reads those
 * chunks instead of making them, so the manager's wait is mostly the stick's
 * own. Nothing depends on it having run: an export makes whatever is not
 * there yet. After a failure (a full disk, a ledger being reopened) it waits,
 * doubling up to 10 minutes.
 */
import type { Ledger } from '../../device/ledger/types.js';
import { LedgerError } from '../../device/ledger/types.js';
import type { Logger } from '../../device/logger.js';
import { Backoff } from '../backoff.js';
import { ExportError } from './errors.js';

export interface ChunksAheadOptions {
  everyMs: number;
  /** records per chunk: the exporter's chunkRecords, so that its steps line up with the chunks */
  chunkRecords: number;
  /** the exporter's maxBatchRecords: chunks are made for the next batch only */
  maxBatchRecords: number;
  /** chunks made (or old ones deleted) per tick at most */
  perTick: number;
}

export const DEFAULT_CHUNKS_AHEAD: Pick<ChunksAheadOptions, 'everyMs' | 'perTick'> = { everyMs: 5000, perTick: 8 };
const MAX_BACKOFF_MS = 10 * 60_000;

export interface ChunksAheadDeps {
  ledger: Ledger;
  logger: Logger;
  /** true while an export runs: the ticks wait, so that it has the CPU and the disk */
  busy: () => boolean;
  /** platforms whose batches can be signed (a terminal identity); others get no chunks */
  platform?: (platformId: string) => boolean;
  options: Partial<ChunksAheadOptions> & Pick<ChunksAheadOptions, 'chunkRecords' | 'maxBatchRecords'>;
  /** Unix ms, for the wait after a failure */
  now?: () => number;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class ChunksAhead {
  private readonly log: Logger;
  private readonly opts: ChunksAheadOptions;
  private readonly backoff = new Backoff(DEFAULT_CHUNKS_AHEAD.everyMs, MAX_BACKOFF_MS);
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<number> | undefined;
  private stopped = false;
  /** no attempt before this (Unix ms) after a failure */
  private notBefore = 0;

  constructor(private readonly deps: ChunksAheadDeps) {
    this.log = deps.logger.child({ module: 'export-ahead' });
    this.opts = { ...DEFAULT_CHUNKS_AHEAD, ...deps.options };
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.stopped = false;
    this.timer = setInterval(() => void this.tick(), this.opts.everyMs).unref();
  }

  /** Stops the timer and waits for a tick under way (it ends after its current transaction). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  /** One tick: what is due, up to perTick steps; resolves to the number of chunks made or deleted. A tick under way is joined, not doubled. */
  tick(): Promise<number> {
    this.ticking ??= this.steps().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async steps(): Promise<number> {
    const now = this.deps.now ?? Date.now;
    if (now() < this.notBefore) return 0;
    // a chunk of the step the exporter takes: maxBatchRecords below chunkRecords makes the batch one step
    const records = Math.min(this.opts.chunkRecords, this.opts.maxBatchRecords);
    let done = 0;
    try {
      // asked before the ledger's transaction, not inside it: the answer may read the home's key files
      const allowed = new Set(this.deps.ledger.exports.queue().map((q) => q.platformId).filter((id) => this.deps.platform?.(id) ?? true));
      for (let i = 0; i < this.opts.perTick && !this.deps.busy(); i++) {
        const changed = this.deps.ledger.exports.chunkAhead({ records, maxBatchRecords: this.opts.maxBatchRecords, platform: (id) => allowed.has(id) });
        this.backoff.reset();
        if (changed === 0) break;
        done += changed;
        await yieldToLoop();
        // its own step: the chunk's transaction and its checkpoint each hold the loop about half as long as both
        this.deps.ledger.exports.settle();
        await yieldToLoop();
        if (this.stopped) break;
      }
    } catch (err) {
      // never fatal: an export makes what is not made ahead
      const waitMs = this.backoff.fail();
      this.notBefore = now() + waitMs;
      if (this.backoff.count === 1) {
        const code = err instanceof LedgerError || err instanceof ExportError ? err.code : 'UNEXPECTED';
        this.log.warn({ code, err: (err as Error).message, retryInMs: waitMs }, 'could not make export chunks ahead; exports make them instead');
      }
    }
    if (done > 0) this.log.debug({ changed: done }, 'export chunks made ahead');
    return done;
  }
}
