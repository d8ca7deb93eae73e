/**
 * The TypeBox schemas of the signed documents' payloads
 * (protocol/documents.ts). The kiosk reads them with checks compiled from
 * these at build time (tools/validators.ts), so it loads no typebox.
 */
import { Type, type Static } from 'typebox';
import { SyncSettings } from './api.js';

const Id = Type.String({ minLength: 1, maxLength: 128 });
const Kid = Type.String({ pattern: '^[0-9a-f]{16}$' });
const UnixMs = Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000 });

export const TrustBundleKeySchema = Type.Object(
  {
    kid: Kid,
    /** the COSE algorithm name: EdDSA (Ed25519) or PS256 (RSA) */
    alg: Type.Union([Type.Literal('EdDSA'), Type.Literal('PS256')]),
    /** SubjectPublicKeyInfo PEM */
    publicKey: Type.String({ minLength: 1, maxLength: 4096 }),
    /** the key's own validity, Unix ms, [notBefore, notAfter) */
    notBefore: Type.Optional(UnixMs),
    notAfter: Type.Optional(UnixMs),
  },
  { additionalProperties: false },
);

export const TrustBundleSchema = Type.Object(
  {
    platformId: Id,
    /** increases with every bundle of this platform; a kiosk refuses a lower one (no rollback) */
    seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    issuedAt: UnixMs,
    keys: Type.Array(TrustBundleKeySchema, { minItems: 1, maxItems: 16 }),
  },
  { additionalProperties: false },
);

export const EnrollmentSchema = Type.Object(
  {
    platformId: Id,
    merchantId: Id,
    branchId: Id,
    terminalId: Id,
    /** kid of the terminal's Ed25519 signing key (requests, batch manifests) */
    terminalKid: Kid,
    /** kid of the terminal's X25519 wrap key (merchant keys sealed to it later) */
    wrapKid: Kid,
    /** the merchant's claim mode and store-and-forward limits at enrollment (api.ts SyncSettings); state answers carry the newest */
    sync: SyncSettings,
  },
  { additionalProperties: false },
);

export type TrustBundleKey = Static<typeof TrustBundleKeySchema>;
export type TrustBundle = Static<typeof TrustBundleSchema>;
export type Enrollment = Static<typeof EnrollmentSchema>;
