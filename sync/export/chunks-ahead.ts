/**
 * Makes the next export's data in idle time (ledger v5, migration-v5.ts):
 * every `everyMs` the service asks the ledger for the next complete chunk of
 * each platform's next batch, one short transaction at a time with the loop
 * free between them, at most `perTick` per tick, never while an export runs.
 * An export then reads those chunks instead of making them, so the manager's
 * wait is mostly the stick's own. Nothing depends on it having run: an export
 * makes whatever is not there yet.
 */
import type { Ledger } from '../../device/ledger/types.js';
import { LedgerError } from '../../device/ledger/types.js';
import type { Logger } from '../../device/logger.js';

export interface ChunksAheadOptions {
  everyMs: number;
  /** records per chunk: the exporter's chunkRecords, so that its steps line up with the chunks */
  chunkRecords: number;
  /** chunks made (or old ones deleted) per tick at most */
  perTick: number;
}

export const DEFAULT_CHUNKS_AHEAD: Omit<ChunksAheadOptions, 'chunkRecords'> = { everyMs: 5000, perTick: 8 };

export interface ChunksAheadDeps {
  ledger: Ledger;
  logger: Logger;
  /** true while an export runs: the ticks wait, so that it has the CPU */
  busy: () => boolean;
  options: Partial<ChunksAheadOptions> & Pick<ChunksAheadOptions, 'chunkRecords'>;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class ChunksAhead {
  private readonly log: Logger;
  private readonly opts: ChunksAheadOptions;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<number> | undefined;
  private stopped = false;
  /** the last failure's code, logged once until a tick succeeds */
  private failing: string | undefined;

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
    let done = 0;
    for (let i = 0; i < this.opts.perTick; i++) {
      if (this.deps.busy()) break;
      let changed: number;
      try {
        changed = this.deps.ledger.exports.chunkAhead(this.opts.chunkRecords);
      } catch (err) {
        // never fatal: an export makes what is not made ahead
        const code = err instanceof LedgerError ? err.code : 'UNEXPECTED';
        if (this.failing !== code) this.log.warn({ code, err: (err as Error).message }, 'could not make export chunks ahead; exports make them instead');
        this.failing = code;
        return done;
      }
      this.failing = undefined;
      if (changed === 0) break;
      done += changed;
      await yieldToLoop();
      if (this.stopped) break;
    }
    if (done > 0) this.log.debug({ changed: done }, 'export chunks made ahead');
    return done;
  }
}
