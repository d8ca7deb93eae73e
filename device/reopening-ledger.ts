/**
 * The service's ledger: the home's ledger once it opens, and until then the
 * reason it does not (full disk, lock held, lost, read-only home, ...).
 *
 * A problem at start-up must not leave the kiosk broken for good: every call
 * while the ledger is unavailable first tries to open it again (at most once
 * per `minRetryMs`), so the first scan after the cause is gone is redeemed;
 * the kiosk probes it on a timer while nobody scans (Kiosk, ledger faults).
 * While it is unavailable every call throws the last open error, so no scan
 * can be ACCEPTED without a ledger.
 *
 * A ledger whose file was moved or deleted under the open connection
 * (SQLITE_READONLY_DBMOVED) is dropped and opened again through the home's
 * checks, which then say LEDGER_LOST instead of writing into a ghost file.
 */
import { LedgerError, type Ledger, type LedgerCounts, type PlatformBacklog, type RedeemOutcome, type Redemption, type RedemptionInput, type ReverseOutcome, type ScanRecord } from './ledger/types.js';
import type { LedgerIdentity } from './ledger/identity.js';
import type { ExportLedger } from './ledger/export-types.js';
import type { SyncLedger } from './ledger/sync-types.js';
import { errInfo } from './err-info.js';
import type { Logger } from './logger.js';

export interface ReopeningOptions {
  logger: Logger;
  /** no more than one open attempt per this many ms (a flood of scans must not become a flood of opens) */
  minRetryMs?: number;
  /** monotonic ms */
  now?: () => number;
}

export const DEFAULT_MIN_RETRY_MS = 1000;

export class ReopeningLedger implements Ledger {
  private ledger: Ledger | undefined;
  private failure: LedgerError | undefined;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private closed = false;
  private readonly log: Logger;

  private attempts = 0;

  /** `open(retry)`: retry is false for the first attempt (which may wait for a lock), true after */
  constructor(
    private readonly openLedger: (retry: boolean) => Ledger,
    private readonly opts: ReopeningOptions,
  ) {
    this.log = opts.logger.child({ module: 'ledger-supervisor' });
  }

  /** Try to open now (the service does so once at start). Returns the error while unavailable. */
  connect(): LedgerError | undefined {
    if (this.ledger || this.closed) return undefined;
    this.lastAttempt = this.now();
    try {
      this.ledger = this.openLedger(this.attempts++ > 0);
    } catch (err) {
      const e = asLedgerError(err);
      if (e.message !== this.failure?.message) this.log.error({ err: { code: e.code, message: e.message } }, 'ledger unavailable');
      this.failure = e;
      return e;
    }
    if (this.failure) this.log.info({ was: this.failure.code }, 'ledger available again');
    this.failure = undefined;
    return undefined;
  }

  get available(): boolean {
    return this.ledger !== undefined;
  }

  redeem(r: RedemptionInput): RedeemOutcome {
    return this.use((l) => l.redeem(r));
  }
  release(r: RedemptionInput, at: number): { redemption: Redemption; seq: number } {
    return this.use((l) => l.release(r, at));
  }
  reverse(id: number, at: number): ReverseOutcome {
    return this.use((l) => l.reverse(id, at));
  }
  find(platformId: string, ctiHex: string): Redemption | undefined {
    return this.use((l) => l.find(platformId, ctiHex));
  }
  findBySerial(serial: string): Redemption[] {
    return this.use((l) => l.findBySerial(serial));
  }
  isRevoked(platformId: string, ctiHex: string): boolean {
    return this.use((l) => l.isRevoked(platformId, ctiHex));
  }
  addRevocations(platformId: string, ctiHexes: string[], at: number): number {
    return this.use((l) => l.addRevocations(platformId, ctiHexes, at));
  }
  logScan(s: ScanRecord, raise?: { t: number; source: string }): void {
    this.use((l) => l.logScan(s, raise));
  }
  lastScan(): ScanRecord | undefined {
    return this.use((l) => l.lastScan());
  }
  trustedTime(): number {
    return this.use((l) => l.trustedTime());
  }
  raiseTrustedTime(t: number, source: string): number {
    return this.use((l) => l.raiseTrustedTime(t, source));
  }
  resetTrustedTime(t: number, by: string): { from: number; to: number } {
    return this.use((l) => l.resetTrustedTime(t, by));
  }
  identity(): LedgerIdentity | undefined {
    return this.use((l) => l.identity());
  }
  probe(): void {
    this.use((l) => l.probe());
  }
  list(opts?: { limit?: number; offset?: number }): Redemption[] {
    return this.use((l) => l.list(opts));
  }
  counts(): LedgerCounts {
    return this.use((l) => l.counts());
  }
  backlog(platformId: string): PlatformBacklog {
    return this.use((l) => l.backlog(platformId));
  }
  integrityCheck(): string {
    return this.use((l) => l.integrityCheck());
  }
  /** USB export batches and the outbox's sync side: every call goes to the connection that is current then, like the calls above. */
  readonly exports: ExportLedger = this.forward((l) => l.exports);
  readonly sync: SyncLedger = this.forward((l) => l.sync);

  private forward<T extends object>(part: (l: Ledger) => T): T {
    return new Proxy({} as T, {
      get: (_target, key) => (...args: unknown[]) =>
        this.use((l) => (part(l) as unknown as Record<string | symbol, (...a: unknown[]) => unknown>)[key]!(...args)),
    });
  }

  close(): void {
    this.closed = true;
    this.ledger?.close();
    this.ledger = undefined;
  }

  private use<T>(fn: (ledger: Ledger) => T): T {
    const ledger = this.current();
    try {
      return fn(ledger);
    } catch (err) {
      if (movedAway(err)) this.drop(err);
      throw err;
    }
  }

  private current(): Ledger {
    if (!this.ledger && !this.closed && this.now() - this.lastAttempt >= (this.opts.minRetryMs ?? DEFAULT_MIN_RETRY_MS)) this.connect();
    if (this.ledger) return this.ledger;
    const cause = this.failure ?? new LedgerError('LEDGER_OPEN_FAILED', 'the ledger is closed');
    throw new LedgerError(cause.code, cause.message, { cause });
  }

  private drop(err: unknown): void {
    this.log.error({ err: errInfo(err) }, 'the ledger file was moved or deleted under the kiosk; reopening it through the home checks');
    try {
      this.ledger?.close();
    } catch {
      // closing a connection to a vanished file may fail too; it is dropped either way
    }
    this.ledger = undefined;
    this.lastAttempt = Number.NEGATIVE_INFINITY;
  }

  private now(): number {
    return (this.opts.now ?? performance.now.bind(performance))();
  }
}

function asLedgerError(err: unknown): LedgerError {
  if (err instanceof LedgerError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const what = typeof e.code === 'string' ? `${e.code}: ` : '';
  return new LedgerError('LEDGER_OPEN_FAILED', `${what}${typeof e.message === 'string' ? e.message : String(err)}`, { cause: err });
}

function movedAway(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return cause?.code === 'SQLITE_READONLY_DBMOVED';
}
