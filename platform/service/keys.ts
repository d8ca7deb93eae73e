/**
 * The platform's key material: new signing and merchant key pairs as store
 * records, and records back into KeyObjects. Parsed keys are cached by kid:
 * a kid names one immutable key, so the cache can never be stale; which key
 * is current is always read from the database.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { generateKeyPair, kidOf, privateKeyToPem, signAlgOf, toHex } from '../../coupon/index.js';
import { ALG } from '../../coupon/types.js';
import type { Recipient, Signer } from '../../coupon/issue.js';
import type { KeyAlgName, MerchantKeyKind, MerchantKeyRecord, NewMerchantKey, SigningKeyRecord } from '../store/store.js';

export type SigningKeyKind = 'ed25519' | 'rsa';

export function newSigningKey(kind: SigningKeyKind, notBefore: Date): SigningKeyRecord {
  const pair = generateKeyPair(kind);
  return {
    kid: toHex(kidOf(pair.publicKey)),
    alg: signAlgOf(pair.privateKey) === ALG.EdDSA ? 'EdDSA' : 'PS256',
    publicSpki: pair.publicKey.export({ type: 'spki', format: 'der' }),
    privatePkcs8: privateKeyToPem(pair.privateKey),
    notBefore,
    notAfter: null,
  };
}

export function newMerchantKey(kind: MerchantKeyKind): NewMerchantKey {
  const pair = generateKeyPair(kind);
  return {
    kid: toHex(kidOf(pair.publicKey)),
    kind,
    publicSpki: pair.publicKey.export({ type: 'spki', format: 'der' }),
    privatePkcs8: privateKeyToPem(pair.privateKey),
  };
}

const privateCache = new Map<string, KeyObject>();
const publicCache = new Map<string, KeyObject>();

function cached(cache: Map<string, KeyObject>, kid: string, make: () => KeyObject): KeyObject {
  let key = cache.get(kid);
  if (!key) {
    key = make();
    cache.set(kid, key);
  }
  return key;
}

export function privateKeyOf(rec: { kid: string; privatePkcs8: string }): KeyObject {
  return cached(privateCache, rec.kid, () => createPrivateKey({ key: rec.privatePkcs8, format: 'pem' }));
}

export function publicKeyOf(rec: { kid: string; publicSpki: Uint8Array }): KeyObject {
  return cached(publicCache, rec.kid, () => createPublicKey({ key: Buffer.from(rec.publicSpki), format: 'der', type: 'spki' }));
}

/** An Ed25519 or X25519 public key from its 32 raw bytes (terminal keys travel raw). */
export function publicKeyFromRaw(crv: 'Ed25519' | 'X25519', raw: Uint8Array): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv, x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

export const COSE_ALG: Record<KeyAlgName, Signer['alg']> = { EdDSA: ALG.EdDSA, PS256: ALG.PS256 };

export function signerOf(rec: SigningKeyRecord): Signer {
  return { kid: Uint8Array.from(Buffer.from(rec.kid, 'hex')), alg: COSE_ALG[rec.alg], privateKey: privateKeyOf(rec) };
}

export function recipientOf(rec: Pick<MerchantKeyRecord, 'kid' | 'publicSpki'>): Recipient {
  return { kid: Uint8Array.from(Buffer.from(rec.kid, 'hex')), publicKey: publicKeyOf(rec) };
}
