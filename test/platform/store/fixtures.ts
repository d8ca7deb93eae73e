/** Records for store tests: real keys, made with the coupon library. */
import { randomBytes } from 'node:crypto';
import { generateKeyPair, kidOf, privateKeyToPem, toHex } from '../../../coupon/index.js';
import { rawPublicKey } from '../../../coupon/keys.js';
import type { NewMerchantKey, NewTerminal, SigningKeyRecord } from '../../../platform/store/store.js';

export function signingKey(notBefore = new Date(Date.now() - 1000), notAfter: Date | null = null): SigningKeyRecord {
  const pair = generateKeyPair('ed25519');
  return {
    kid: toHex(kidOf(pair.publicKey)),
    alg: 'EdDSA',
    publicSpki: pair.publicKey.export({ type: 'spki', format: 'der' }),
    privatePkcs8: privateKeyToPem(pair.privateKey),
    notBefore,
    notAfter,
  };
}

export function merchantKey(): NewMerchantKey {
  const pair = generateKeyPair('x25519');
  return { kid: toHex(kidOf(pair.publicKey)), kind: 'x25519', publicSpki: pair.publicKey.export({ type: 'spki', format: 'der' }), privatePkcs8: privateKeyToPem(pair.privateKey) };
}

export function device(name = 'till 1'): Omit<NewTerminal, 'merchantId' | 'branchId'> {
  const sign = generateKeyPair('ed25519').publicKey;
  const wrap = generateKeyPair('x25519').publicKey;
  return { signKid: toHex(kidOf(sign)), signPublic: rawPublicKey(sign), wrapKid: toHex(kidOf(wrap)), wrapPublic: rawPublicKey(wrap), name, software: 'kiosk/0.1.0' };
}

/** A bundle builder for store tests: the store keeps bytes, whatever signs them. */
export const fakeBundle = (seq: number, keys: SigningKeyRecord[]): Uint8Array => Buffer.from(JSON.stringify({ seq, kids: keys.map((k) => k.kid) }));

export const ctiHex = (): string => randomBytes(12).toString('hex');

export const tokenHash = (): Uint8Array => randomBytes(32);
