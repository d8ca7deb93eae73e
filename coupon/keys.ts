/**
 * Keys and key ids (COUPON-FORMAT.md §4). Node KeyObjects throughout, so the
 * verifier parses PEM once and never per coupon.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';

import { ALG, type MerchantKey, type SignAlg } from './types.js';

export type KeyKind = 'ed25519' | 'x25519' | 'rsa';

export const MIN_RSA_BITS = 2048;
export const KID_BYTES = 8;

export type KeyErrorCode =
  | 'UNSUPPORTED_KEY_TYPE'
  | 'RSA_TOO_SMALL'
  | 'BAD_PEM'
  | 'KID_MISMATCH'
  | 'DUPLICATE_KID'
  | 'KID_ON_TWO_PLATFORMS'
  | 'DUPLICATE_PLATFORM'
  | 'ALG_MISMATCH';

export class KeyError extends Error {
  override readonly name = 'KeyError';
  constructor(
    readonly code: KeyErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

export function generateKeyPair(kind: KeyKind, rsaBits = MIN_RSA_BITS): KeyPair {
  if (kind === 'rsa') {
    if (rsaBits < MIN_RSA_BITS) throw rsaTooSmall(rsaBits);
    return generateKeyPairSync('rsa', { modulusLength: rsaBits });
  }
  if (kind === 'ed25519') return generateKeyPairSync('ed25519');
  if (kind === 'x25519') return generateKeyPairSync('x25519');
  throw new KeyError('UNSUPPORTED_KEY_TYPE', `unsupported key kind '${String(kind)}' (ed25519, x25519 or rsa)`);
}

/** The kind of a key this format uses; throws KeyError for any other (and for RSA below 2048 bits). */
export function kindOf(key: KeyObject): KeyKind {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519' || type === 'x25519') return type;
  if (type === 'rsa') {
    const bits = rsaBitsOf(key);
    if (bits < MIN_RSA_BITS) throw rsaTooSmall(bits);
    return type;
  }
  throw new KeyError('UNSUPPORTED_KEY_TYPE', `key type '${String(type)}' is not used by this format (ed25519, x25519 or rsa)`);
}

/**
 * The signing alg a platform key implies (§2): Ed25519 → EdDSA (-8), RSA →
 * PS256 (-37). KeyError for a key that cannot sign coupons (X25519, small RSA).
 */
export function signAlgOf(key: KeyObject): SignAlg {
  const kind = kindOf(key);
  if (kind === 'ed25519') return ALG.EdDSA;
  if (kind === 'rsa') return ALG.PS256;
  throw new KeyError('UNSUPPORTED_KEY_TYPE', `a platform signing key must be Ed25519 or RSA, not ${kind}`);
}

/** A merchant decryption key (§4: X25519 or RSA ≥ 2048) with its kid; KeyError for any other. */
export function merchantKeyFrom(privateKey: KeyObject): MerchantKey {
  if (privateKey.type !== 'private') throw new KeyError('UNSUPPORTED_KEY_TYPE', 'a merchant key must be a private key (a public key cannot decrypt coupons)');
  const kind = kindOf(privateKey);
  if (kind === 'ed25519') throw new KeyError('UNSUPPORTED_KEY_TYPE', 'a merchant key must be X25519 or RSA, not ed25519');
  return { kid: kidOf(privateKey), kind, privateKey };
}

export function rsaBitsOf(key: KeyObject): number {
  return key.asymmetricKeyDetails?.modulusLength ?? 0;
}

function rsaTooSmall(bits: number): KeyError {
  return new KeyError('RSA_TOO_SMALL', `RSA key of ${bits} bits is too small: at least ${MIN_RSA_BITS} bits`);
}

/**
 * The bytes a kid hashes (§4): the 32 raw bytes of an Ed25519/X25519 public
 * key, or the DER SubjectPublicKeyInfo of an RSA key.
 */
export function kidInput(publicKey: KeyObject): Uint8Array {
  const kind = kindOf(publicKey);
  if (kind === 'rsa') return publicKey.export({ type: 'spki', format: 'der' });
  return rawPublicKey(publicKey);
}

/** The 32 raw bytes of an Ed25519/X25519 public key: the tail of its 44-byte SPKI. */
export function rawPublicKey(publicKey: KeyObject): Uint8Array {
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  return new Uint8Array(spki.subarray(spki.length - 32));
}

/** kid = first 8 bytes of SHA-256 over kidInput (§4). Accepts a private key too (uses its public half). */
export function kidOf(key: KeyObject): Uint8Array {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const digest = createHash('sha256').update(kidInput(publicKey)).digest();
  return new Uint8Array(digest.subarray(0, KID_BYTES));
}

/** Parses PEM with `create` and checks that the key is one this format uses. */
function fromPem(create: (input: { key: string; format: 'pem' }) => KeyObject, pem: string, what: string): KeyObject {
  let key: KeyObject;
  try {
    key = create({ key: pem, format: 'pem' });
  } catch (err) {
    throw new KeyError('BAD_PEM', `not a readable ${what} PEM`, { cause: err });
  }
  kindOf(key);
  return key;
}

export function privateKeyFromPem(pem: string): KeyObject {
  return fromPem(createPrivateKey, pem, 'private key');
}

/** Reads an SPKI public key, or derives the public key of a PKCS#8 private key. */
export function publicKeyFromPem(pem: string): KeyObject {
  return fromPem(createPublicKey, pem, 'public or private key');
}

export function privateKeyToPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function publicKeyToPem(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  return publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
