/** Read-only access to a kiosk's ledger for the inspection commands (ledger, status), through the home's checks. */
import type { LoadedHome } from '../home.js';
import { openHomeLedgerReadOnly } from '../home-ledger.js';
import type { SqliteLedger } from '../ledger/sqlite-ledger.js';
import { LedgerError } from '../ledger/types.js';
import { silentLogger } from '../logger.js';

export type LedgerAccess =
  | { state: 'ok'; ledger: SqliteLedger }
  /** the home never had a ledger: the service creates it at its first start */
  | { state: 'none' }
  /** lost, another kiosk's, outside the home, corrupt, ...: `code` says which */
  | { state: 'unavailable'; code: string; message: string };

export function readLedger(home: Pick<LoadedHome, 'paths' | 'config'>): LedgerAccess {
  try {
    const ledger = openHomeLedgerReadOnly(home.paths, home.config, { logger: silentLogger() });
    return ledger ? { state: 'ok', ledger } : { state: 'none' };
  } catch (err) {
    if (!(err instanceof LedgerError)) throw err;
    return { state: 'unavailable', code: err.code, message: err.message };
  }
}

/** One line for people: "LEDGER_LOST: ledger …: the file is missing … — restore it from a backup …". */
export function unavailableLine(access: Extract<LedgerAccess, { state: 'unavailable' }>): string {
  return `${access.code === 'LEDGER_LOST' ? 'LOST' : 'UNAVAILABLE'} (${access.code}): ${access.message}`;
}

export function iso(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : new Date(ms).toISOString();
}
