/**
 * home.json: what the kiosk home knows about its ledger, kept apart from the
 * ledger's files so that losing them (a stray `rm ledger.sqlite*`, a failed
 * restore, a changed ledgerPath) never loses the knowledge that a ledger
 * existed. Written when the home's first ledger is created or adopted, and by
 * `kiosk ledger reset`; never by hand.
 *
 *   { "format": 1,
 *     "ledger": { "id": "<32 hex>", "path": "ledger.sqlite", "created": "<ISO 8601>" },
 *     "retired": [ { "id": "<32 hex>" | null, "path": "ledger.sqlite", "created": "<ISO>" | null,
 *                    "retiredAt": "<ISO>", "movedTo": "ledger.sqlite.retired-…" | null,
 *                    "reason": "kiosk ledger reset" } ] }
 *
 * The same id is in the ledger's meta table (`ledger_id`): device/ledger/identity.ts.
 */
import { homeRecord } from '../protocol/generated/validators.js';
import { validatorOf } from '../protocol/validation.js';
import { writeFileAtomic } from './atomic-write.js';
import { ConfigError } from './config.js';
import { readJson, type HomePaths } from './home.js';
import type { HomeRecord } from './home-record-schema.js';

export type { HomeRecord, RetiredLedger } from './home-record-schema.js';

const validator = validatorOf<HomeRecord>(homeRecord);

/** home.json, checked; undefined when the home has none yet. */
export function readHomeRecord(paths: HomePaths): Readonly<HomeRecord> | undefined {
  const raw = readJson(paths.record);
  if (raw === undefined) return undefined;
  const result = validator.validate(raw);
  if (!result.ok) throw new ConfigError(result.issues, paths.record);
  return result.value;
}

/** Atomically (temp, fsync, rename, fsync the directory), readable by the service user only. */
export function writeHomeRecord(paths: HomePaths, record: HomeRecord): void {
  writeFileAtomic(paths.record, JSON.stringify(record, null, 2) + '\n', 0o600);
}
