/**
 * The schema of trust.json (device/trust-store.ts), checked with the check
 * compiled from it at build time (tools/validators.ts).
 */
import { Type, type Static } from 'typebox';
import { ALG } from '../coupon/types.js';

const text = (): ReturnType<typeof Type.String> => Type.String({ pattern: '\\S', expected: 'a non-empty string' });
/** Unix seconds */
const time = (): ReturnType<typeof Type.Integer> => Type.Integer({ minimum: 0, maximum: 2 ** 40 });

export const TrustKeySchema = Type.Object(
  {
    kid: Type.String({ pattern: '^[0-9a-f]{16}$', expected: '16 lowercase hex digits' }),
    alg: Type.Enum([ALG.EdDSA, ALG.PS256]),
    /** SPKI PEM */
    publicKey: text(),
    notBefore: Type.Optional(time()),
    notAfter: Type.Optional(time()),
  },
  { additionalProperties: false },
);

export const TrustPlatformSchema = Type.Object(
  { id: text(), merchantId: text(), keys: Type.Array(TrustKeySchema) },
  { additionalProperties: false },
);

export const TrustJsonSchema = Type.Object({ platforms: Type.Array(TrustPlatformSchema, { default: [] }) }, { additionalProperties: false });

export type TrustKeyJson = Static<typeof TrustKeySchema>;
export type TrustPlatformJson = Static<typeof TrustPlatformSchema>;
export type TrustJson = Static<typeof TrustJsonSchema>;

