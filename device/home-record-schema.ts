/**
 * The schema of home.json (device/home-record.ts), checked with the check
 * compiled from it at build time (tools/validators.ts).
 */
import { Type, type Static } from 'typebox';

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

