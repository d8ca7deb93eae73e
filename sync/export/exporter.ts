/**
 * One export: every redemption not yet exported (as of its start), per
 * platform, as that platform's next batches, onto one stick. A platform
 * without a terminal key is skipped with the reason. One export at a time
 * per ledger (a lease in the ledger), the service and `kiosk export` alike.
 *
 * Recovery needs no separate step: an export resumes a platform's open batch
 * (written again identically, or abandoned while still unsigned when the
 * terminal identity changed), then goes on with new batches. Committing a
 * batch moves the platform's export watermark in one small transaction, so
 * nothing is left to mark after it.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Clock } from '../../drivers/clock/port.js';
import type { ExportLease } from '../../device/ledger/export-types.js';
import { LedgerError, type Ledger } from '../../device/ledger/types.js';
import type { Logger } from '../../device/logger.js';
import { writeBatch, type BatchWriteContext } from './batch-writer.js';
import { ExportError, type ExportErrorCode } from './errors.js';
import type { StickTarget } from './stick-files.js';
import type { BatchResult, BatchSigner, ExporterEvents, ExportOutcome, PhaseHook, SignerLookup, SkippedPlatform } from './types.js';

export interface ExporterOptions {
  /** records per batch at most: bounds the platform's import of one batch */
  maxBatchRecords: number;
  /** records read from the ledger and written per step (one step holds the event loop for a few ms) */
  chunkRecords: number;
  /** bytes of the data file between two flushes to the stick while it is written */
  flushBytes: number;
  /** a lease older than this is taken over even if its process still exists */
  leaseStaleMs: number;
}

export const DEFAULT_EXPORTER_OPTIONS: ExporterOptions = { maxBatchRecords: 100_000, chunkRecords: 2000, flushBytes: 4 * 2 ** 20, leaseStaleMs: 30 * 60_000 };

export interface ExporterDeps {
  ledger: Ledger;
  signers: SignerLookup;
  clock: Clock;
  logger: Logger;
  options?: Partial<ExporterOptions>;
  /** fault injection at each phase (tests; KIOSK_FAULT_EXPORT) */
  hook?: PhaseHook;
}

export type ExportRunResult = ExportOutcome | { state: 'skipped'; code: ExportErrorCode; message: string };

const PROGRESS_EVERY_MS = 200;
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Exporter extends EventEmitter<ExporterEvents> {
  private readonly log: Logger;
  private readonly opts: ExporterOptions;
  private runs = 0;

  constructor(private readonly deps: ExporterDeps) {
    super();
    this.log = deps.logger.child({ module: 'export' });
    this.opts = { ...DEFAULT_EXPORTER_OPTIONS, ...deps.options };
  }

  /** An export is under way: this exporter's, or another process's that holds the ledger's lease and is alive. */
  exportUnderWay(): boolean {
    if (this.runs > 0) return true;
    const holder = this.guardLedger(() => this.deps.ledger.exports.leaseHolder());
    return holder !== undefined && !this.leaseStale(holder);
  }

  /** records per step: what ChunksAhead makes ahead for it */
  get chunkRecords(): number {
    return this.opts.chunkRecords;
  }

  /** `folder`: the export folder at the stick's root as found (or EXPORT_FOLDER); `createFolder` when it may be missing. */
  async run(target: StickTarget, where: { folder: string; createFolder: boolean }): Promise<ExportRunResult> {
    const lease: ExportLease = { owner: randomBytes(8).toString('hex'), pid: process.pid, at: this.deps.clock.now() };
    const got = this.guardLedger(() => this.deps.ledger.exports.acquireLease(lease, (h) => this.leaseStale(h)));
    if (!got.ok) return { state: 'skipped', code: 'EXPORT_BUSY', message: `another export (process ${got.holder.pid}) has been running since ${new Date(got.holder.at).toISOString()}` };
    const run = new ExportRun(this, this.deps, this.opts, target, where, lease);
    this.runs++;
    try {
      return await run.go();
    } finally {
      this.runs--;
      this.deps.ledger.exports.endStream();
      this.guardLedger(() => this.deps.ledger.exports.releaseLease(lease.owner));
    }
  }

  guardLedger<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof LedgerError) throw new ExportError('LEDGER_ERROR', err.message, { cause: err });
      throw err;
    }
  }

  /** The holder's process is gone (same machine: the ledger is local), or it has held the lease far too long. */
  private leaseStale(h: ExportLease): boolean {
    if (this.deps.clock.now() - h.at > this.opts.leaseStaleMs) return true;
    try {
      process.kill(h.pid, 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
}

/** The state of one run: what was written, skipped, counted. */
class ExportRun {
  private readonly batches: BatchResult[] = [];
  private readonly skipped: SkippedPlatform[] = [];
  private done = 0;
  private total = 0;
  private lastProgress = 0;
  private lastDone = -1;
  private platform = '';

  constructor(
    private readonly exporter: Exporter,
    private readonly deps: ExporterDeps,
    private readonly opts: ExporterOptions,
    private readonly target: StickTarget,
    private readonly where: { folder: string; createFolder: boolean },
    private readonly lease: ExportLease,
  ) {}

  async go(): Promise<ExportOutcome> {
    const log = this.deps.logger.child({ module: 'export', root: this.target.root });
    try {
      const ledger = this.deps.ledger.exports;
      const snapshot = this.exporter.guardLedger(() => ledger.maxSeq());
      const ready: { signer: BatchSigner; count: number }[] = [];
      for (const q of this.exporter.guardLedger(() => ledger.queue(snapshot))) {
        const found = this.deps.signers(q.platformId);
        if (found.ok) ready.push({ signer: found.signer, count: q.count });
        else this.skip({ platformId: q.platformId, code: found.code, message: found.message, count: q.count });
      }
      this.total = ready.reduce((n, r) => n + r.count, 0);
      this.exporter.emit('started', { total: this.total, platforms: ready.map((r) => r.signer.platformId) });
      for (const r of ready) await this.platformBatches(r.signer, snapshot);
      this.progress(true);
      log.info({ count: this.done, batches: this.batches.length, skipped: this.skipped.length }, 'export done');
      return { state: 'done', count: this.done, batches: this.batches, skipped: this.skipped };
    } catch (caught) {
      const err = caught instanceof LedgerError ? new ExportError('LEDGER_ERROR', caught.message, { cause: caught }) : caught;
      if (!(err instanceof ExportError)) throw err;
      log.warn({ code: err.code, err: err.message, written: this.batches.length }, 'export interrupted');
      return { state: 'interrupted', code: err.code, message: err.message, count: this.batches.reduce((n, b) => n + b.count, 0), batches: this.batches, skipped: this.skipped };
    }
  }

  private skip(s: SkippedPlatform): void {
    this.skipped.push(s);
    this.exporter.emit('skipped', s);
  }

  private async platformBatches(signer: BatchSigner, snapshot: number): Promise<void> {
    const ledger = this.deps.ledger.exports;
    const hook = this.deps.hook ?? (() => undefined);
    this.platform = signer.platformId;
    for (;;) {
      let batch = this.exporter.guardLedger(() => ledger.openBatch(signer.platformId));
      if (batch?.state === 'prepared' && batch.terminalId !== signer.terminalId) {
        // unsigned, so on no stick: the records go into the new terminal's chain instead
        this.exporter.guardLedger(() => ledger.abandon(batch!.id));
        batch = undefined;
      }
      batch ??= this.exporter.guardLedger(() =>
        ledger.prepare({ platformId: signer.platformId, terminalId: signer.terminalId, maxRecords: this.opts.maxBatchRecords, createdAt: this.deps.clock.now(), uptoSeq: snapshot }),
      );
      if (batch === undefined) return;
      await hook('prepare', { platformId: batch.platformId, sequence: batch.sequence });
      const result = await writeBatch(this.context(signer), batch);
      this.batches.push(result);
      this.exporter.emit('batch', result);
      this.exporter.guardLedger(() => ledger.acquireLease({ ...this.lease, at: this.deps.clock.now() }, () => false)); // renew
    }
  }

  private context(signer: BatchSigner): BatchWriteContext {
    return {
      ledger: this.exporter.guardLedger(() => this.deps.ledger.exports),
      target: this.target,
      signer,
      ...this.where,
      chunkRecords: this.opts.chunkRecords,
      flushBytes: this.opts.flushBytes,
      hook: this.deps.hook ?? (() => undefined),
      progress: (n) => {
        this.done += n;
        this.progress(false);
      },
      pause: async () => {
        await yieldToLoop();
        // a stick pulled mid-write: stop now rather than at the rename
        if (!this.target.stillThere()) throw new ExportError('USB_REMOVED', `the stick at ${this.target.root} is no longer mounted`);
      },
      now: () => this.deps.clock.now(),
    };
  }

  private progress(final: boolean): void {
    const now = Date.now();
    if (!final && now - this.lastProgress < PROGRESS_EVERY_MS) return;
    if (this.done === this.lastDone) return;
    this.lastProgress = now;
    this.lastDone = this.done;
    this.exporter.emit('progress', { done: this.done, total: this.total, platformId: this.platform });
  }
}
