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
  LEDGER_DISK_FULL: 'nothing was recorded; free space on the kiosk storage (old logs, old exports) and scan again',
  LEDGER_WRITE_FAILED: 'nothing was recorded; check the storage device (kernel log, disk health) and restart the kiosk',
  LEDGER_SCHEMA_TOO_NEW:
    'this kiosk software is older than the ledger; install the version that wrote it (never downgrade a kiosk with a live ledger)',
};

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
  return undefined;
}

export function ledgerError(code: LedgerErrorCode, path: string, detail: string, cause?: unknown): LedgerError {
  return new LedgerError(code, `ledger ${path}: ${detail} — ${ADVICE[code]}`, cause === undefined ? undefined : { cause });
}

/** Wraps any error thrown by SQLite or the file system; a LedgerError passes through unchanged. */
export function toLedgerError(err: unknown, path: string, fallback: LedgerErrorCode): LedgerError {
  if (err instanceof LedgerError) return err;
  const detail = err instanceof Error ? `${errorCode(err) || err.name}: ${err.message}` : String(err);
  return ledgerError(classify(err) ?? fallback, path, detail, err);
}
