/**
 * A stand-in for a ledger that could not be opened (corrupt file, read-only
 * home, full disk, not durable). Every call throws the open error, so the kiosk
 * still starts, shows the fault on its screen and answers each scan with a
 * fault, instead of a service restart loop that shows nothing at all.
 */
import type { ExportLedger } from './ledger/export-types.js';
import { LedgerError, type Ledger } from './ledger/types.js';

export function unavailableLedger(cause: LedgerError): Ledger {
  const fail = (): never => {
    throw new LedgerError(cause.code, cause.message, { cause });
  };
  return {
    redeem: fail,
    find: fail,
    isRevoked: fail,
    addRevocations: fail,
    logScan: fail,
    lastScan: fail,
    trustedTime: fail,
    raiseTrustedTime: fail,
    list: fail,
    counts: fail,
    pendingUploads: fail,
    markUploaded: fail,
    notExported: fail,
    markExported: fail,
    integrityCheck: fail,
    exports: new Proxy({} as ExportLedger, { get: () => fail }),
    close: () => undefined,
  };
}
