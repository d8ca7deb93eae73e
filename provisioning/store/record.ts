/**
 * enrollment.json and trust-bundle.json of an enrolled platform: TypeBox
 * schemas, read with every problem named, written 0600 atomically.
 *
 * enrollment.json (format 1):
 *   { "format": 1, "platformId", "terminalId", "merchantId", "branchId",
 *     "url": "https://…" | null, "tls": {"mode":"system"} | {"mode":"ca","ca":PEM} | {"mode":"pin","pin":"sha256/…"},
 *     "terminalKid", "wrapKid", "sync": {claimMode, limits…},
 *     "enrolledAt": ms, "enrolledBy": "token" | "bundle",
 *     "trustAnchor": {"mode": "pinned" | "first-use", "kid"},
 *     "document": base64 of the signed enrollment document,
 *     "disabled": null | {"at": ms, "code", "message"},
 *     "lastRefresh": null | {"at": ms, "platformTime": ms} }
 *
 * trust-bundle.json (format 1): { "format": 1, "seq", "issuedAt", "receivedAt", "document": base64 }
 */
import { readFileSync } from 'node:fs';
import { Type, type Static } from 'typebox';
import { writeFileAtomic } from '../../device/atomic-write.js';
import { HomeError } from '../../device/home-error.js';
import { compileSchema } from '../../protocol/validate.js';

export const RECORD_FORMAT = 1;

const Kid = Type.String({ pattern: '^[0-9a-f]{16}$', expected: '16 lowercase hex digits' });
const Ms = Type.Integer({ minimum: 0 });
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const Base64 = Type.String({ pattern: '^[A-Za-z0-9+/]*={0,2}$', minLength: 4, expected: 'standard Base64' });

export const TlsPolicySchema = Type.Union([
  Type.Object({ mode: Type.Literal('system') }, { additionalProperties: false }),
  Type.Object({ mode: Type.Literal('ca'), ca: Text(65536) }, { additionalProperties: false }),
  Type.Object({ mode: Type.Literal('pin'), pin: Type.String({ pattern: '^sha256/[A-Za-z0-9+/]{43}=$' }) }, { additionalProperties: false }),
]);

export const EnrollmentRecordSchema = Type.Object(
  {
    format: Type.Literal(RECORD_FORMAT),
    platformId: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' }),
    terminalId: Text(128),
    merchantId: Text(128),
    branchId: Text(128),
    url: Type.Union([Text(1024), Type.Null()]),
    tls: TlsPolicySchema,
    terminalKid: Kid,
    wrapKid: Kid,
    sync: Type.Record(Type.String(), Type.Unknown()),
    enrolledAt: Ms,
    enrolledBy: Type.Union([Type.Literal('token'), Type.Literal('bundle')]),
    trustAnchor: Type.Object({ mode: Type.Union([Type.Literal('pinned'), Type.Literal('first-use')]), kid: Kid }, { additionalProperties: false }),
    document: Base64,
    disabled: Type.Union([Type.Object({ at: Ms, code: Text(64), message: Text(1024) }, { additionalProperties: false }), Type.Null()]),
    lastRefresh: Type.Union([Type.Object({ at: Ms, platformTime: Ms }, { additionalProperties: false }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type EnrollmentRecord = Static<typeof EnrollmentRecordSchema>;

export const TrustRecordSchema = Type.Object(
  { format: Type.Literal(RECORD_FORMAT), seq: Type.Integer({ minimum: 1 }), issuedAt: Ms, receivedAt: Ms, document: Base64 },
  { additionalProperties: false },
);
export type TrustRecord = Static<typeof TrustRecordSchema>;

const enrollmentValidator = compileSchema(EnrollmentRecordSchema);
const trustValidator = compileSchema(TrustRecordSchema);

function readChecked<T>(file: string, validator: { validate(raw: unknown): { ok: true; value: Readonly<T> } | { ok: false; issues: { path: string; message: string }[] } }): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : `not JSON (${(err as Error).message})`;
    throw new HomeError('ENROLLMENT_INVALID', `${file}: ${why}`, { cause: err });
  }
  const result = validator.validate(raw);
  if (!result.ok) throw new HomeError('ENROLLMENT_INVALID', `${file}: ${result.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
  return structuredClone(result.value) as T;
}

export function readEnrollmentRecord(file: string): EnrollmentRecord {
  return readChecked<EnrollmentRecord>(file, enrollmentValidator);
}

export function readTrustRecord(file: string): TrustRecord {
  return readChecked<TrustRecord>(file, trustValidator);
}

export function writeRecord(file: string, value: EnrollmentRecord | TrustRecord): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n', 0o600);
}
