/**
 * The technician's ledger operations: `kiosk ledger backup` and
 * `kiosk ledger reset`.
 *
 * Backup uses SQLite's online backup API, so it is consistent (WAL included)
 * while the service keeps redeeming; the copy is a single self-contained file
 * (rollback journal mode) carrying the ledger's identity, checked before it
 * is put in place, never over an existing file.
 *
 * Reset destroys nothing: it moves the current ledger's files aside
 * (`<ledger>.retired-<time>`), records the retired ledger in home.json, and
 * makes a new, empty ledger. It refuses while another process (the service)
 * has the ledger open.
 */
import { chmodSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { fsyncDir, placeNew } from './atomic-write.js';
import type { KioskConfig } from './config.js';
import type { HomePaths } from './home.js';
import { assertInsideHome, createHomeLedger, LEGACY_MARKER_SUFFIX, ledgerFiles, openHomeLedgerReadOnly } from './home-ledger.js';
import { readHomeRecord, type RetiredLedger } from './home-record.js';
import { ledgerError, toLedgerError } from './ledger/errors.js';
import { newLedgerIdentity } from './ledger/identity.js';
import { openLedger } from './ledger/sqlite-ledger.js';
import type { LedgerCounts } from './ledger/types.js';
import type { Logger } from './logger.js';

type Config = Pick<KioskConfig, 'ledgerPath'>;

export interface LedgerSummary {
  id: string | null;
  path: string;
  created: string | null;
  /** the files that exist now */
  files: string[];
  counts: LedgerCounts | null;
  /** why counts could not be read (lost, corrupt, ...) */
  problem: string | null;
}

/** What the home's current ledger is, as far as it can be read: what a reset would retire. */
export function describeLedger(paths: HomePaths, config: Config, logger: Logger): LedgerSummary {
  const record = readHomeRecord(paths);
  const file = record ? path.resolve(paths.home, record.ledger.path) : config.ledgerPath;
  const marker = file + LEGACY_MARKER_SUFFIX;
  const summary: LedgerSummary = {
    id: record?.ledger.id ?? null,
    path: file,
    created: record?.ledger.created ?? (existsSync(marker) ? readFileSync(marker, 'utf8').trim() : null),
    files: ledgerFiles(file).filter((f) => existsSync(f)),
    counts: null,
    problem: null,
  };
  try {
    const ledger = openHomeLedgerReadOnly(paths, config, { logger });
    summary.counts = ledger?.counts() ?? null;
    summary.id ??= ledger?.identity()?.id ?? null;
    ledger?.close();
  } catch (err) {
    summary.problem = (err as Error).message;
  }
  return summary;
}

export interface ResetResult {
  retired: RetiredLedger;
  created: { id: string; path: string };
}

export function resetLedger(paths: HomePaths, config: Config, opts: { logger: Logger; now?: () => number }): ResetResult {
  const now = (opts.now ?? Date.now)();
  assertInsideHome(paths.home, config.ledgerPath);
  const before = describeLedger(paths, config, opts.logger);
  if (existsSync(before.path)) refuseWhileOpen(before.path);
  const movedTo = moveAside(before.path, new Date(now));
  const record = readHomeRecord(paths);
  const retired: RetiredLedger = {
    id: before.id,
    path: path.relative(paths.home, before.path),
    created: before.created,
    retiredAt: new Date(now).toISOString(),
    movedTo: movedTo === null ? null : path.relative(paths.home, movedTo),
    reason: 'kiosk ledger reset',
  };
  const identity = newLedgerIdentity(now);
  createHomeLedger(paths, config.ledgerPath, identity, opts.logger, [...(record?.retired ?? []), retired]).close();
  opts.logger.child({ module: 'ledger-admin' }).warn({ retired, created: identity.id }, 'ledger reset by a technician');
  return { retired, created: { id: identity.id, path: config.ledgerPath } };
}

/**
 * An exclusive lock fails while any other connection has the ledger open (the
 * service holds it from start to stop): moving files under it would lose its
 * next redemptions. A file SQLite cannot read at all cannot be in use.
 */
function refuseWhileOpen(file: string): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    const e = toLedgerError(err, file, 'LEDGER_OPEN_FAILED');
    if (e.code === 'LEDGER_BUSY') throw ledgerError('LEDGER_BUSY', file, 'it is open in another process: stop the kiosk service first (systemctl stop coupon-kiosk)', err);
    if (e.code !== 'LEDGER_CORRUPT') throw e;
  } finally {
    db?.close();
  }
}

/** -journal, -shm, -wal first: a stranded -wal beside a new ledger would be replayed into it. */
function moveAside(file: string, at: Date): string | null {
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  const target = `${file}.retired-${stamp}`;
  const suffixes = ['-journal', '-shm', '-wal', ''];
  for (const s of suffixes) if (existsSync(file + s)) renameSync(file + s, target + s);
  fsyncDir(path.dirname(file));
  return existsSync(target) ? target : null;
}

export interface BackupResult {
  /** null for a ledger from before identities (not yet adopted) */
  id: string | null;
  file: string;
  bytes: number;
  counts: LedgerCounts;
}

/** A consistent copy of the home's ledger into `to` (a new file), while the service may be running. */
export async function backupLedger(paths: HomePaths, config: Config, to: string, opts: { logger: Logger }): Promise<BackupResult> {
  const target = path.resolve(to);
  if (existsSync(target)) throw ledgerError('LEDGER_WRITE_FAILED', target, 'the file exists; a backup never overwrites one: choose a new name');
  const ledger = openHomeLedgerReadOnly(paths, config, opts);
  if (!ledger) throw ledgerError('LEDGER_OPEN_FAILED', config.ledgerPath, 'this kiosk has no ledger yet: nothing to back up');
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const id = ledger.identity()?.id;
    await ledger.backupTo(tmp);
    const counts = selfContained(tmp, id, opts.logger);
    chmodSync(tmp, 0o600);
    syncFile(tmp);
    placeNew(tmp, target); // never over a file that appeared meanwhile
    return { id: id ?? null, file: target, bytes: statSync(target).size, counts };
  } finally {
    ledger.close();
    for (const s of ['', '-wal', '-shm', '-journal']) rmSync(tmp + s, { force: true });
  }
}

/** One file, no -wal to forget when copying it around; then read it back as the kiosk would. */
function selfContained(file: string, id: string | undefined, logger: Logger): LedgerCounts {
  const raw = new Database(file);
  try {
    raw.pragma('journal_mode = DELETE');
  } finally {
    raw.close();
  }
  const check = openLedger(file, { logger, readonly: true, ...(id ? { expectId: id } : {}) });
  try {
    const integrity = check.integrityCheck();
    if (integrity !== 'ok') throw ledgerError('LEDGER_CORRUPT', file, `the copy failed its integrity check: ${integrity.slice(0, 200)}`);
    return check.counts();
  } finally {
    check.close();
  }
}

function syncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
