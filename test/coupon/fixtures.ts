/**
 * Shared keys and claims for the coupon tests. RSA key generation is slow, so
 * each RSA pair is made once per process and reused.
 */
import { Keyring } from '../../coupon/keyring.js';
import { generateKeyPair, kidOf, type KeyPair } from '../../coupon/keys.js';
import { ALG, type Claims, type PlatformTrust, type SignAlg } from '../../coupon/types.js';

const rsaCache: KeyPair[] = [];

/** The n-th shared RSA-2048 pair of this test process. */
export function rsaPair(n = 0): KeyPair {
  while (rsaCache.length <= n) rsaCache.push(generateKeyPair('rsa', 2048));
  return rsaCache[n]!;
}

export const NOW = 1_800_000_000;

export function sampleClaims(over: Partial<Claims> = {}): Claims {
  return {
    iss: 'platform-a',
    sub: 'consumer-1',
    aud: 'merchant-7',
    exp: NOW + 86_400,
    nbf: NOW - 3_600,
    iat: NOW - 3_600,
    cti: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    product: 'prod-00042',
    quantity: 2,
    title: 'Hotpot set for two',
    ...over,
  };
}

export interface Party {
  pair: KeyPair;
  kid: Uint8Array;
}

export function party(pair: KeyPair): Party {
  return { pair, kid: kidOf(pair.publicKey) };
}

export function signer(p: Party) {
  const alg: SignAlg = p.pair.publicKey.asymmetricKeyType === 'rsa' ? ALG.PS256 : ALG.EdDSA;
  return { kid: p.kid, alg, privateKey: p.pair.privateKey };
}

export function recipient(p: Party) {
  return { kid: p.kid, publicKey: p.pair.publicKey };
}

export function platformTrust(platformId: string, merchantId: string, keys: Party[], window: { notBefore?: number; notAfter?: number } = {}): PlatformTrust {
  return { platformId, merchantId, keys: keys.map((k) => ({ kid: k.kid, alg: signer(k).alg, publicKey: k.pair.publicKey, ...window })) };
}

export function keyring(platforms: PlatformTrust[], merchants: Party[]): Keyring {
  const merchantKeys = merchants.map((m) => ({
    kid: m.kid,
    kind: m.pair.publicKey.asymmetricKeyType as 'x25519' | 'rsa',
    privateKey: m.pair.privateKey,
  }));
  return new Keyring({ platforms, merchantKeys });
}
