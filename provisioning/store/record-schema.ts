/**
 * The schemas of enrollment.json and trust-bundle.json
 * (provisioning/store/record.ts), checked with the checks compiled from them
 * at build time (tools/validators.ts).
 */
import { Type, type Static } from 'typebox';

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

