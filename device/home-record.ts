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
import { Type, type Static } from 'typebox';
import { compileSchema } from '../protocol/validate.js';
import { writeFileAtomic } from './atomic-write.js';
import { ConfigError } from './config.js';
import { readJson, type HomePaths } from './home.js';

const id = (): ReturnType<typeof Type.String> => Type.String({ pattern: '^[0-9a-f]{32}$', expected: '32 lowercase hex digits' });
const iso = (): ReturnType<typeof Type.String> => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T', expected: 'an ISO 8601 time' });
/** relative to the home */
const file = (): ReturnType<typeof Type.String> => Type.String({ pattern: '\\S', expected: 'a path relative to the home' });

export const HomeLedgerSchema = Type.Object({ id: id(), path: file(), created: iso() }, { additionalProperties: false });

export const RetiredLedgerSchema = Type.Object(
  {
    id: Type.Union([id(), Type.Null()]),
    path: file(),
    created: Type.Union([iso(), Type.Null()]),
    retiredAt: iso(),
    movedTo: Type.Union([file(), Type.Null()]),
    reason: Type.String(),
  },
  { additionalProperties: false },
);

export const HomeRecordSchema = Type.Object(
  { format: Type.Literal(1), ledger: HomeLedgerSchema, retired: Type.Array(RetiredLedgerSchema, { default: [] }) },
  { additionalProperties: false },
);

export type HomeRecord = Static<typeof HomeRecordSchema>;
export type RetiredLedger = Static<typeof RetiredLedgerSchema>;

const validator = compileSchema(HomeRecordSchema);

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
