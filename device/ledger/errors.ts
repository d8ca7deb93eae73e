import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { LedgerError } from './types.js';

export type LedgerErrorCode = LedgerError['code'];

/** What a technician should do, per code: the message is read on a small screen and in the journal. */
const ADVICE: Record<LedgerErrorCode, string> = {
  LEDGER_OPEN_FAILED:
    'check that the kiosk home directory exists, its storage is mounted, and the kiosk service user can read and write it',
  LEDGER_NOT_DURABLE:
    'the kiosk refuses to run without WAL and synchronous=FULL; put the kiosk home on a local filesystem that supports WAL (not a network share)',
  LEDGER_CORRUPT:
    'the file was left untouched: stop the kiosk, copy it (with any -wal and -shm files beside it) for support, and restore the ledger from a backup; starting a new ledger would forget which coupons were already redeemed',
  LEDGER_READ_ONLY:
    'make the ledger file, its directory and the filesystem writable by the kiosk service user (check ownership and mount options, e.g. remount read-write)',
  LEDGER_DISK_FULL:
    'free space on the kiosk storage (old logs: journalctl --vacuum-size=50M; old exports); nothing was recorded, and the kiosk tries again by itself (scan again once space is free)',
  LEDGER_WRITE_FAILED: 'nothing was recorded; check the storage device (kernel log, disk health) and restart the kiosk',
  LEDGER_SCHEMA_TOO_NEW:
    'this kiosk software is older than the ledger; install the version that wrote it (never downgrade a kiosk with a live ledger)',
  LEDGER_BUSY:
    'another process holds the ledger locked (a second kiosk service, a sqlite3 shell, a copy in progress); stop it, and the kiosk tries again by itself',
  LEDGER_LOST:
    'this kiosk has had a ledger, and an empty or new one would accept every coupon it already redeemed: stop the kiosk and restore it from a backup (docs/operations.md, "Backup and restore"); only if it is truly lost, start a new one with `kiosk ledger reset --yes`',
  LEDGER_MISMATCH:
    'the file is not the ledger this kiosk home owns (home.json): put this home\'s own ledger back, or restore it from a backup; never mix ledgers of different kiosks',
  LEDGER_PATH_MISMATCH:
    'config.json\'s ledgerPath must name this home\'s ledger: set it back to the path home.json records (a lost config.json means the default, ledger.sqlite); to move the ledger, stop the kiosk, move its files, then change ledgerPath',
  LEDGER_OUTSIDE_HOME:
    'keep the ledger a regular file inside the kiosk home: set ledgerPath in config.json to a relative path without ".." and replace any symlink by the file itself',
};

/** Every ledger error code (the docs test checks that operations.md explains each). */
export const LEDGER_ERROR_CODES = Object.keys(ADVICE) as LedgerErrorCode[];

function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err) return String(err.code);
  return '';
}

/** Maps an SQLite or file-system error code to a ledger code; undefined when it says nothing specific. */
export function classify(err: unknown): LedgerErrorCode | undefined {
  const code = errorCode(err);
  if (code.startsWith('SQLITE_FULL') || code === 'ENOSPC') return 'LEDGER_DISK_FULL';
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM')) return 'LEDGER_READ_ONLY';
  if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') return 'LEDGER_READ_ONLY';
  if (code.startsWith('SQLITE_CANTOPEN') || code === 'ENOENT') return 'LEDGER_OPEN_FAILED';
  if (code.startsWith('SQLITE_CORRUPT') || code.startsWith('SQLITE_NOTADB')) return 'LEDGER_CORRUPT';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'LEDGER_BUSY';
  // the shared-memory index could not be grown: what a full file system looks like when the ledger opens
  if (code === 'SQLITE_IOERR_SHMSIZE') return 'LEDGER_DISK_FULL';
  return undefined;
}

/** Below this, an I/O error writing the ledger is taken for a full disk (SQLite's own code rarely says ENOSPC). */
export const LOW_SPACE_BYTES = 256 * 1024;

/** SQLITE_IOERR_* on a file system with (almost) no space left: the disk is full, whatever the I/O call was. */
function fullDisk(err: unknown, path: string): boolean {
  if (!errorCode(err).startsWith('SQLITE_IOERR')) return false;
  try {
    const s = statfsSync(dirname(path));
    return s.bavail * s.bsize < LOW_SPACE_BYTES;
  } catch {
    return false;
  }
}

export function ledgerError(code: LedgerErrorCode, path: string, detail: string, cause?: unknown): LedgerError {
  return new LedgerError(code, `ledger ${path}: ${detail} — ${ADVICE[code]}`, cause === undefined ? undefined : { cause });
}

/** Wraps any error thrown by SQLite or the file system; a LedgerError passes through unchanged. */
export function toLedgerError(err: unknown, path: string, fallback: LedgerErrorCode): LedgerError {
  if (err instanceof LedgerError) return err;
  const detail = err instanceof Error ? `${errorCode(err) || err.name}: ${err.message}` : String(err);
  return ledgerError(classify(err) ?? (fullDisk(err, path) ? 'LEDGER_DISK_FULL' : fallback), path, detail, err);
}
