import type { KeyObject } from 'node:crypto';
import type { FormatReason } from './reasons.js';

/** COSE algorithm ids used by the format (COUPON-FORMAT.md §2, §3). */
export const ALG = {
  EdDSA: -8,
  PS256: -37,
  A128GCM: 1,
  A256GCM: 3,
  ECDH_ES_HKDF_256: -25,
  RSAES_OAEP_SHA256: -41,
} as const;

export type SignAlg = typeof ALG.EdDSA | typeof ALG.PS256;
export type ContentAlg = typeof ALG.A128GCM | typeof ALG.A256GCM;
export type KeyAlg = typeof ALG.ECDH_ES_HKDF_256 | typeof ALG.RSAES_OAEP_SHA256;

/** The coupon plaintext (COUPON-FORMAT.md §1), decoded. Times are Unix seconds. */
export interface Claims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  nbf?: number;
  iat: number;
  /** serial number, 8..32 bytes */
  cti: Uint8Array;
  product: string;
  quantity: number;
  title?: string;
}

/** A platform signing public key in the trust store. */
export interface PlatformKey {
  kid: Uint8Array; // 8 bytes, §4
  alg: SignAlg;
  publicKey: KeyObject;
  /** optional validity window of the key itself, Unix seconds, [notBefore, notAfter) */
  notBefore?: number;
  notAfter?: number;
}

/** One platform this merchant works with (patent [0037]). */
export interface PlatformTrust {
  platformId: string;
  /** the merchant id that this platform gave this merchant (the coupons' aud) */
  merchantId: string;
  keys: PlatformKey[];
}

/** A merchant private key (decryption); several during a rotation. */
export interface MerchantKey {
  kid: Uint8Array;
  kind: 'x25519' | 'rsa';
  privateKey: KeyObject;
}

/** Successful verification by the pure format layer. */
export interface VerifiedCoupon {
  ok: true;
  reason: 'VALID';
  message: string;
  claims: Claims;
  /** Crockford Base32 of cti in groups of four */
  serial: string;
  /** hex of the signer kid and of the merchant key kid that decrypted it */
  signerKid: string;
  merchantKid: string;
}

export interface RejectedCoupon {
  ok: false;
  reason: Exclude<FormatReason, 'VALID'>;
  /** human message naming the bad value; never contains key material or the whole coupon */
  message: string;
  /** present when the claims were decrypted and the signature verified (e.g. EXPIRED, WRONG_MERCHANT) */
  claims?: Claims;
  serial?: string;
}

export type VerifyResult = VerifiedCoupon | RejectedCoupon;
