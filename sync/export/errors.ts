/**
 * Why an export did not happen or did not finish. In every case nothing was
 * marked exported that was not read back from the stick, and nothing is lost:
 * the records wait in the ledger for the next stick.
 */
export const EXPORT_ERRORS = {
  // the stick, at the start: left alone
  NO_MARKER: 'the stick has no export folder (usb.folder, coupon-export) or marker file (coupon-export.txt) at its root, and usb.anyStick is off',
  USB_READ_ONLY: 'the stick is read-only (write-protect switch, or mounted read-only)',
  USB_NOT_WRITABLE: 'the kiosk user may not write to the stick (mount options: uid/gid, or the folder permissions)',
  EXPORT_BUSY: 'another export of this ledger is running',
  // one platform: skipped
  NO_TERMINAL_IDENTITY: 'the platform has no terminal key (not enrolled, or its enrollment folder is refused), so its batches cannot be signed',
  // during the export: interrupted
  USB_REMOVED: 'the stick was removed or unmounted during the export',
  USB_FULL: 'the stick is full',
  USB_IO_ERROR: 'the stick reported an I/O error',
  READBACK_MISMATCH: 'what was read back from the stick is not what was written',
  SEQUENCE_CONFLICT: 'the stick already holds a different batch with this number for this terminal (a ledger restored from a backup?)',
  SIGNING_FAILED: 'the manifest could not be signed',
  LEDGER_ERROR: 'the ledger could not be read or written',
} as const;

export type ExportErrorCode = keyof typeof EXPORT_ERRORS;

export class ExportError extends Error {
  constructor(
    readonly code: ExportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ExportError';
  }
}

const GONE = new Set(['EIO', 'ENODEV', 'ENXIO', 'ENOENT', 'ENOTCONN', 'ESHUTDOWN', 'EBADF', 'ESTALE', 'ENOTDIR']);

/** A file-system error on the stick, as the export code a manager can act on. */
export function fromFsError(err: unknown, what: string): ExportError {
  if (err instanceof ExportError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const detail = `${what}: ${(err as Error).message}`;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG') return new ExportError('USB_FULL', detail, { cause: err });
  if (code === 'EROFS') return new ExportError('USB_READ_ONLY', detail, { cause: err });
  if (code === 'EACCES' || code === 'EPERM') return new ExportError('USB_NOT_WRITABLE', detail, { cause: err });
  // EIO first of all: a yanked stick; ENOENT: the mount point now shows the directory under it
  if (GONE.has(code)) return new ExportError(code === 'EIO' ? 'USB_IO_ERROR' : 'USB_REMOVED', detail, { cause: err });
  return new ExportError('USB_IO_ERROR', detail, { cause: err });
}
