export * from './types.js';
export { openLedger, SqliteLedger, DEFAULT_SCAN_LOG_LIMIT, type LedgerOptions } from './sqlite-ledger.js';
export { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.js';
export type { LedgerErrorCode } from './errors.js';
export * from './export-types.js';
export { newLedgerIdentity, type LedgerIdentity } from './identity.js';
