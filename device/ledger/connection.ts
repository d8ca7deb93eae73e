import Database from 'better-sqlite3';
import { ledgerError, toLedgerError } from './errors.js';

export interface ConnectOptions {
  readonly?: boolean;
  /** refuse to create a new, empty ledger when the file is missing (a lost ledger must not look like a fresh one) */
  mustExist?: boolean;
  /** largest file given a full quick_check at open (default FULL_CHECK_MAX_BYTES); bigger ones check only the small tables */
  fullCheckMaxBytes?: number;
  /**
   * how long opening waits for a lock another process holds (default BUSY_TIMEOUT_MS);
   * a retry while the kiosk runs waits less, so it never stalls the scans for seconds
   */
  openBusyTimeoutMs?: number;
}

/** How long a statement waits for a lock another process holds, once the ledger is open. */
export const BUSY_TIMEOUT_MS = 5000;
/** Modest page cache (KiB when negative): RSS stays flat however big the ledger grows. */
const CACHE_KIB = 8192;

function connect(path: string, opts: ConnectOptions): Database.Database {
  try {
    return new Database(path, { readonly: opts.readonly === true, fileMustExist: opts.mustExist === true || opts.readonly === true });
  } catch (err) {
    // better-sqlite3 throws a plain TypeError for a missing directory: that is an open failure too.
    throw toLedgerError(err, path, 'LEDGER_OPEN_FAILED');
  }
}

/** Throws LEDGER_NOT_DURABLE unless this connection commits with WAL and synchronous=FULL. */
export function assertDurable(db: Database.Database, path: string): void {
  const journal = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
  const sync = Number(db.pragma('synchronous', { simple: true }));
  if (journal !== 'wal' || sync !== 2) {
    throw ledgerError(
      'LEDGER_NOT_DURABLE',
      path,
      `journal_mode is ${journal} and synchronous is ${sync}; the kiosk needs wal and 2 (FULL)`,
    );
  }
}

/**
 * Above this size a full quick_check at open would break the start-up budget
 * (1.5 s) on a cold page cache: 330 MB for a million redemptions took 5 s here,
 * and SD cards are slower. 32 MiB is about 100,000 redemptions.
 */
export const FULL_CHECK_MAX_BYTES = 32 * 2 ** 20;
/** Small and read at every open: checked even when the big tables are left to integrityCheck(). */
const ALWAYS_CHECKED = ['sqlite_schema', 'meta', 'tally'];

function quickCheck(db: Database.Database, table?: string): string[] {
  const rows = db.pragma(table === undefined ? 'quick_check' : `quick_check("${table}")`) as { quick_check: string }[];
  return rows.map((r) => r.quick_check).filter((s) => s !== 'ok');
}

function tablesToCheck(db: Database.Database): string[] {
  const existing = db.prepare<[], { name: string }>(`SELECT name FROM sqlite_schema WHERE type = 'table'`).all();
  const names = new Set(existing.map((r) => r.name));
  return ALWAYS_CHECKED.filter((t) => t === 'sqlite_schema' || names.has(t));
}

/**
 * quick_check (every page once, no index cross-checks) catches a torn or
 * overwritten file before the kiosk trusts it. A ledger larger than
 * maxFullBytes gets the check on its small tables only; a bad page in the big
 * ones still surfaces as SQLITE_CORRUPT (LEDGER_CORRUPT) when touched, and
 * integrityCheck() runs the full check on demand.
 */
export function assertNotCorrupt(db: Database.Database, path: string, maxFullBytes = FULL_CHECK_MAX_BYTES): void {
  const bytes = Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));
  const problems = bytes <= maxFullBytes ? quickCheck(db) : tablesToCheck(db).flatMap((t) => quickCheck(db, t));
  if (problems.length > 0) {
    throw ledgerError('LEDGER_CORRUPT', path, `quick_check failed: ${problems.slice(0, 5).join('; ')}`);
  }
}

function configure(db: Database.Database, path: string, readonly: boolean, busyMs: number): void {
  // busy_timeout first: switching to WAL needs a lock another process may hold.
  db.pragma(`busy_timeout = ${busyMs}`);
  db.pragma(`cache_size = -${CACHE_KIB}`);
  if (readonly) return; // a reader writes nothing; the journal mode is the writer's business
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  assertDurable(db, path);
}

/** Page cache of a streaming reader: it reads each page once, in order; a bigger cache would only take memory. */
const STREAM_CACHE_KIB = 256;

/**
 * A second, read-only connection to an open ledger for reading much of it
 * once in order (a USB export reads 100,000 entries): its own small page
 * cache, so the stream neither evicts the pages the scans need from the
 * ledger's cache nor grows the process by a cache's worth of fresh memory.
 * Each statement reads the last committed state; nothing is checked at open
 * (the ledger's own connection did that).
 */
export function openStreamReader(path: string): Database.Database {
  const db = connect(path, { readonly: true });
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma(`cache_size = -${STREAM_CACHE_KIB}`);
    return db;
  } catch (err) {
    db.close();
    throw toLedgerError(err, path, 'LEDGER_OPEN_FAILED');
  }
}

/**
 * Opens and checks the SQLite file: pragmas set and read back, then a quick
 * check. Never deletes, truncates or rewrites a file it cannot use.
 */
export function openConnection(path: string, opts: ConnectOptions): Database.Database {
  const db = connect(path, opts);
  try {
    configure(db, path, opts.readonly === true, opts.openBusyTimeoutMs ?? BUSY_TIMEOUT_MS);
    assertNotCorrupt(db, path, opts.fullCheckMaxBytes);
    return db;
  } catch (err) {
    db.close();
    throw toLedgerError(err, path, 'LEDGER_OPEN_FAILED');
  }
}
