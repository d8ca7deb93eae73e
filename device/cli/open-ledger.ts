/** Read-only access to a kiosk's ledger for the inspection commands (ledger, status). */
import { existsSync } from 'node:fs';
import { openLedger } from '../ledger/sqlite-ledger.js';
import type { Ledger } from '../ledger/types.js';
import { silentLogger } from '../logger.js';

/** undefined when the kiosk has not created its ledger yet; a LedgerError when it is unreadable. */
export function openLedgerReadOnly(path: string): Ledger | undefined {
  if (!existsSync(path)) return undefined;
  return openLedger(path, { logger: silentLogger(), readonly: true });
}

export function iso(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : new Date(ms).toISOString();
}
