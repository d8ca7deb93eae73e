import type Database from 'better-sqlite3';
import type { Logger } from '../logger.js';
import { BUSY_TIMEOUT_MS, openConnection, openStreamReader, type ConnectOptions } from './connection.js';
import { classify, toLedgerError, type LedgerErrorCode } from './errors.js';
import { readIdentity, requireEmpty, requireIdentity, requireLedger, stampIdentity, type LedgerIdentity } from './identity.js';
import { migrate, requireCurrentSchema } from './migrations.js';
import {
  prepareStatements,
  redemptionParams,
  scanParams,
  toRedemption,
  toScan,
  TRUSTED_RESET_KEY,
  TRUSTED_SOURCE_KEY,
  TRUSTED_TIME_KEY,
  type Statements,
} from './statements.js';
import type { ExportLedger } from './export-types.js';
import { SqliteExportLedger } from './export-store.js';
import { SqliteSyncLedger } from './sync-store.js';
import type { SyncLedger } from './sync-types.js';
import type { Ledger, LedgerCounts, OutboxKind, PlatformBacklog, RedeemOutcome, Redemption, RedemptionInput, ReverseOutcome, ScanRecord } from './types.js';

export interface LedgerOptions extends ConnectOptions {
  logger: Logger;
  /** newest scans kept in the audit log */
  scanLogLimit?: number;
  /** prune the audit log once per this many logged scans, not on every insert */
  pruneEvery?: number;
  /** called with the open connection before use: fault injection in tests (e.g. max_page_count) */
  onConnection?: (db: Database.Database) => void;
  /** the identity the file must carry (home.json): checked before anything is written, so an empty file or another ledger is refused */
  expectId?: string;
  /** make a new ledger with this identity: the file must be new and empty */
  create?: LedgerIdentity;
  /** take over a ledger found in the home: it must already be a ledger; it gets this identity unless it has one */
  adopt?: LedgerIdentity;
}

export const DEFAULT_SCAN_LOG_LIMIT = 200_000;
const DEFAULT_PRUNE_EVERY = 1000;
const DEFAULT_LIST_LIMIT = 100;

/** Opens (creating and migrating if needed) the ledger at `path`. Throws LedgerError with a code a technician can act on. */
export function openLedger(path: string, opts: LedgerOptions): SqliteLedger {
  const logger = opts.logger.child({ module: 'ledger' });
  const mustExist = opts.mustExist === true || opts.expectId !== undefined || opts.adopt !== undefined;
  const db = openConnection(path, { ...opts, mustExist });
  try {
    checkBeforeWriting(db, path, opts);
    if (opts.readonly === true) requireCurrentSchema(db, path);
    else migrate(db, path, logger);
    const identity = opts.create ?? opts.adopt;
    if (identity && opts.readonly !== true) stampIdentity(db, identity);
    opts.onConnection?.(db);
    if (opts.readonly !== true) probeWrite(db);
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const ledger = new SqliteLedger(db, path, logger, opts);
    logger.info({ path, readonly: opts.readonly === true, ...ledger.counts() }, 'ledger open');
    return ledger;
  } catch (err) {
    db.close();
    throw toLedgerError(err, path, 'LEDGER_OPEN_FAILED');
  }
}

function checkBeforeWriting(db: Database.Database, path: string, opts: LedgerOptions): void {
  if (opts.expectId !== undefined) requireIdentity(db, path, opts.expectId);
  if (opts.create) requireEmpty(db, path);
  if (opts.adopt) requireLedger(db, path);
}

/**
 * SQLite silently opens a file it may not write (read-only mount, immutable
 * file) read-only: one real write at open makes a read-only home or a full
 * disk (when the counter needs a page) a start-up fault, not a failure at the first scan.
 */
function probeWrite(db: Database.Database): void {
  db.prepare(`INSERT INTO meta (key, value) VALUES ('opens', 1) ON CONFLICT (key) DO UPDATE SET value = value + 1`).run();
}

export class SqliteLedger implements Ledger {
  private readonly st: Statements;
  private readonly scanLogLimit: number;
  private readonly pruneEvery: number;
  private scansUntilPrune = 0; // prune on the first scan after open, then every pruneEvery
  private readonly redeemTx: (r: RedemptionInput) => RedeemOutcome;
  readonly exports: ExportLedger;
  readonly sync: SyncLedger;

  /** Takes an open, migrated connection; openLedger is the usual way in. */
  constructor(
    private readonly db: Database.Database,
    private readonly path: string,
    private readonly logger: Logger,
    opts: Pick<LedgerOptions, 'scanLogLimit' | 'pruneEvery'> = {},
  ) {
    this.st = prepareStatements(db);
    this.scanLogLimit = opts.scanLogLimit ?? DEFAULT_SCAN_LOG_LIMIT;
    this.pruneEvery = opts.pruneEvery ?? DEFAULT_PRUNE_EVERY;
    // IMMEDIATE: take the write lock up front so two processes queue on busy_timeout instead of failing.
    const tx = db.transaction((r: RedemptionInput) => this.insertOrFindFirst(r));
    this.redeemTx = (r) => tx.immediate(r);
    const guard = <T>(op: string, fn: () => T, read?: boolean): T => this.guard(op, fn, read === true ? 'LEDGER_OPEN_FAILED' : 'LEDGER_WRITE_FAILED');
    this.exports = new SqliteExportLedger(db, guard, () => openStreamReader(path));
    this.sync = new SqliteSyncLedger(db, guard);
  }

  redeem(r: RedemptionInput): RedeemOutcome {
    return this.guard('redeem', () => this.redeemTx(r));
  }

  /** The redemption and its redeem entry, or the live redemption in the way. */
  private insertOrFindFirst(r: RedemptionInput): RedeemOutcome {
    const info = this.st.insert.run(redemptionParams(r));
    if (info.changes === 1) {
      const id = Number(info.lastInsertRowid);
      this.append('redeem', id, r.at);
      const redemption: Redemption = {
        ...r, id, offline: r.offline !== false, claim: r.claim ?? 'none', reversedAt: null, reversedBy: null,
        upload: 'pending', uploadResult: null, uploadedAt: null, exported: false,
      };
      return { ok: true, redemption };
    }
    const first = this.st.find.get(r.platformId, r.ctiHex);
    if (first === undefined) throw new Error(`insert of ${r.platformId}/${r.ctiHex} conflicted but no row was found`);
    return { ok: false, reason: 'ALREADY_REDEEMED', first: toRedemption(first) };
  }

  release(r: RedemptionInput, at: number): { redemption: Redemption; seq: number } {
    const tx = this.db.transaction(() => {
      const id = Number(this.st.insert.run(redemptionParams({ ...r, claim: 'released' }, Math.max(at, r.at))).lastInsertRowid);
      const seq = this.append('reverse', id, Math.max(at, r.at));
      return { redemption: toRedemption(this.st.byId.get(id)!), seq };
    });
    return this.guard('release', () => tx.immediate());
  }

  reverse(id: number, at: number): ReverseOutcome {
    const tx = this.db.transaction((): ReverseOutcome => {
      const row = this.st.byId.get(id);
      if (row === undefined) return { ok: false, reason: 'NOT_FOUND' };
      if (row.reversedAt !== null) return { ok: false, reason: 'ALREADY_REVERSED', redemption: toRedemption(row) };
      // the kiosk's time may have been set back since the scan: a reversal never predates what it undoes
      const when = Math.max(at, row.at);
      this.st.reverse.run(when, id);
      const seq = this.append('reverse', id, when);
      return { ok: true, redemption: toRedemption(this.st.byId.get(id)!), seq };
    });
    return this.guard('reverse', () => tx.immediate());
  }

  /** The redemption's next outbox entry (inside the caller's transaction); returns its seq. */
  private append(kind: OutboxKind, redemptionId: number, at: number): number {
    const info = this.st.append.run({ kind, redemptionId, at });
    if (info.changes !== 1) throw new Error(`redemption ${redemptionId} vanished before its ${kind} entry was written`);
    return Number(info.lastInsertRowid);
  }

  find(platformId: string, ctiHex: string): Redemption | undefined {
    const row = this.read('find', () => this.st.find.get(platformId, ctiHex));
    return row === undefined ? undefined : toRedemption(row);
  }

  findBySerial(serial: string): Redemption[] {
    return this.read('findBySerial', () => this.st.bySerial.all(serial)).map(toRedemption);
  }

  isRevoked(platformId: string, ctiHex: string): boolean {
    return this.read('isRevoked', () => this.st.isRevoked.get(platformId, ctiHex) !== undefined);
  }

  addRevocations(platformId: string, ctiHexes: string[], at: number): number {
    const tx = this.db.transaction(() => {
      let added = 0;
      for (const cti of ctiHexes) added += this.st.addRevocation.run(platformId, cti, at).changes;
      return added;
    });
    return this.guard('addRevocations', () => tx.immediate());
  }

  logScan(s: ScanRecord, raise?: { t: number; source: string }): void {
    const seconds = raise === undefined ? 0 : checkedSeconds(raise.t);
    const floor = raise === undefined ? 0 : this.trustedTime();
    const tx = this.db.transaction(() => {
      this.st.logScan.run(scanParams(s));
      if (raise !== undefined && seconds > floor) this.raiseTx(seconds, raise.source);
    });
    this.guard('logScan', () => tx.immediate());
    if (seconds > floor) this.logger.debug({ from: floor, to: seconds, source: raise?.source }, 'trusted time raised');
    if (--this.scansUntilPrune <= 0) {
      this.scansUntilPrune = this.pruneEvery;
      const pruned = this.guard('pruneScans', () => this.st.pruneScans.run(this.scanLogLimit).changes);
      if (pruned > 0) this.logger.debug({ pruned, keep: this.scanLogLimit }, 'scan log pruned');
    }
  }

  lastScan(): ScanRecord | undefined {
    const row = this.read('lastScan', () => this.st.lastScan.get());
    return row === undefined ? undefined : toScan(row);
  }

  trustedTime(): number {
    const row = this.read('trustedTime', () => this.st.getMeta.get(TRUSTED_TIME_KEY));
    return row === undefined ? 0 : Number(row.value);
  }

  raiseTrustedTime(t: number, source: string): number {
    const seconds = checkedSeconds(t);
    const before = this.trustedTime();
    if (seconds <= before) return before; // the common case: no write, no fsync
    const tx = this.db.transaction(() => this.raiseTx(seconds, source));
    this.guard('raiseTrustedTime', () => tx.immediate());
    const after = this.trustedTime();
    this.logger.debug({ from: before, to: after, source }, 'trusted time raised'); // most scans raise it: not info
    return after;
  }

  list(opts: { limit?: number; offset?: number } = {}): Redemption[] {
    const rows = this.read('list', () => this.st.list.all(opts.limit ?? DEFAULT_LIST_LIMIT, opts.offset ?? 0));
    return rows.map(toRedemption);
  }

  counts(): LedgerCounts {
    const row = this.read('counts', () => this.st.counts.get());
    if (row === undefined) throw toLedgerError(new Error('the tally row is missing'), this.path, 'LEDGER_CORRUPT');
    return { ...row };
  }

  backlog(platformId: string): PlatformBacklog {
    const row = this.read('backlog', () => this.st.backlog.get(platformId, platformId));
    return { notUploaded: row?.notUploaded ?? 0, notExported: row?.notExported ?? 0, unsent: row?.unsent ?? 0 };
  }

  /** Lower (or set) the floor on a technician's word: `kiosk clock reset`. Recorded in meta with the time and who. */
  resetTrustedTime(t: number, by: string): { from: number; to: number } {
    const to = Math.max(0, checkedSeconds(t));
    const tx = this.db.transaction(() => {
      const from = Number(this.st.getMeta.get(TRUSTED_TIME_KEY)?.value ?? 0);
      this.st.setMeta.run(TRUSTED_TIME_KEY, to);
      this.st.setMeta.run(TRUSTED_SOURCE_KEY, by);
      this.st.setMeta.run(TRUSTED_RESET_KEY, JSON.stringify({ at: Date.now(), from, to, by }));
      return { from, to };
    });
    const result = this.guard('resetTrustedTime', () => tx.immediate());
    this.logger.warn({ ...result, by }, 'trusted time reset');
    return result;
  }

  /** the database file */
  get file(): string {
    return this.path;
  }

  identity(): LedgerIdentity | undefined {
    return this.read('identity', () => readIdentity(this.db));
  }

  /** A small durable write: can the ledger record a redemption right now? */
  probe(): void {
    this.guard('probe', () => this.db.transaction(() => this.st.probe.run()).immediate());
  }

  /** SQLite's online backup into `file` (a new file): consistent, WAL included, while other connections write. */
  async backupTo(file: string): Promise<void> {
    try {
      await this.db.backup(file);
    } catch (err) {
      throw toLedgerError(err, file, 'LEDGER_WRITE_FAILED');
    }
  }

  /** 'ok', or the problems found, one per line: a page too damaged to walk is a finding, not an exception. */
  integrityCheck(): string {
    try {
      const rows = this.db.pragma('integrity_check') as { integrity_check: string }[];
      return rows.map((r) => r.integrity_check).join('\n');
    } catch (err) {
      if (classify(err) === 'LEDGER_CORRUPT') return err instanceof Error ? err.message : String(err);
      throw toLedgerError(err, this.path, 'LEDGER_OPEN_FAILED');
    }
  }

  close(): void {
    this.exports.endStream();
    if (this.db.open) this.db.close();
  }

  /** Inside a transaction. max() in SQL: another process may have raised it further since we read it. */
  private raiseTx(seconds: number, source: string): void {
    this.st.raiseMeta.run(TRUSTED_TIME_KEY, seconds);
    this.st.setMeta.run(TRUSTED_SOURCE_KEY, source);
  }

  private guard<T>(op: string, fn: () => T, fallback: LedgerErrorCode = 'LEDGER_WRITE_FAILED'): T {
    try {
      return fn();
    } catch (err) {
      const e = toLedgerError(err, this.path, fallback);
      this.logger.error({ op, code: e.code, err: e.message }, 'ledger operation failed');
      throw e;
    }
  }

  private read<T>(op: string, fn: () => T): T {
    return this.guard(op, fn, 'LEDGER_OPEN_FAILED');
  }
}

function checkedSeconds(t: number): number {
  if (!Number.isFinite(t)) throw new RangeError(`trusted time must be a finite number of seconds, got ${t}`);
  return Math.floor(t);
}
