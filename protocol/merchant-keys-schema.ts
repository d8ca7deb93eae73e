/**
 * The merchant-key payload's schema (merchant-keys.ts reads it with the check
 * tools/validators.ts compiles from this at build time, so the kiosk loads
 * no typebox for it). It imports nothing of merchant-keys.ts, which imports
 * the generated checks that the build makes from this file.
 */
import { Type, type Static } from 'typebox';

const BASE64 = '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$';

export const MerchantKeyEntrySchema = Type.Object(
  {
    kid: Type.String({ pattern: '^[0-9a-f]{16}$' }),
    kind: Type.Union([Type.Literal('x25519'), Type.Literal('rsa')]),
    /** PKCS#8 DER, standard Base64 with padding; 8192 characters hold an RSA-4096 key */
    pkcs8: Type.String({ pattern: BASE64, minLength: 4, maxLength: 8192 }),
  },
  { additionalProperties: false },
);

/** at most 64 keys: MAX_MERCHANT_KEYS in merchant-keys.ts (this file may not import it, see its head; test/protocol/merchant-keys.test.ts holds the two equal) */
export const MerchantKeysSchema = Type.Object(
  { keys: Type.Array(MerchantKeyEntrySchema, { minItems: 1, maxItems: 64 }) },
  { additionalProperties: false },
);

export type MerchantKeysPayload = Static<typeof MerchantKeysSchema>;
