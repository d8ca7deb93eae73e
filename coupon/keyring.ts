/**
 * The terminal's keys (COUPON-FORMAT.md §4): the trust store (platforms, their
 * signing keys and this merchant's id at each) and the merchant private keys.
 * Built once at start-up; lookups by kid are O(1) and no key is parsed per
 * coupon.
 */
import { createPublicKey } from 'node:crypto';
import { KeyError, kidOf, kindOf, rsaBitsOf, toHex } from './keys.js';
import { ALG, type MerchantKey, type PlatformKey, type PlatformTrust } from './types.js';

export interface PlatformKeyEntry {
  platform: PlatformTrust;
  key: PlatformKey;
}

/** A merchant key with what decryption needs precomputed. */
export interface PreparedMerchantKey extends MerchantKey {
  kidHex: string;
  /** RSA modulus length in bytes (the r_ciphertext length); 0 for X25519 */
  modulusBytes: number;
}

export interface KeyringInit {
  platforms: PlatformTrust[];
  merchantKeys: MerchantKey[];
}

export class Keyring {
  private readonly byMerchantKid = new Map<string, PreparedMerchantKey>();
  private readonly byPlatformKid = new Map<string, PlatformKeyEntry>();
  private readonly platformList: readonly PlatformTrust[];
  private readonly merchantList: readonly MerchantKey[];

  /** Validates every key: kids match their keys, each signing kid belongs to exactly one platform. */
  constructor(init: KeyringInit) {
    this.platformList = [...init.platforms];
    this.merchantList = [...init.merchantKeys];
    const ids = new Set<string>();
    for (const platform of this.platformList) {
      if (ids.has(platform.platformId)) {
        throw new KeyError('DUPLICATE_PLATFORM', `platform '${platform.platformId}' is listed twice in the trust store`);
      }
      ids.add(platform.platformId);
      for (const key of platform.keys) this.addPlatformKey(platform, key);
    }
    for (const key of this.merchantList) this.addMerchantKey(key);
  }

  get platforms(): readonly PlatformTrust[] {
    return this.platformList;
  }

  get merchantKeys(): readonly MerchantKey[] {
    return this.merchantList;
  }

  merchantKey(kid: Uint8Array): MerchantKey | undefined {
    return this.byMerchantKid.get(toHex(kid));
  }

  preparedMerchantKey(kidHex: string): PreparedMerchantKey | undefined {
    return this.byMerchantKid.get(kidHex);
  }

  platformKey(kid: Uint8Array): PlatformKeyEntry | undefined {
    return this.byPlatformKid.get(toHex(kid));
  }

  platformKeyByHex(kidHex: string): PlatformKeyEntry | undefined {
    return this.byPlatformKid.get(kidHex);
  }

  private addPlatformKey(platform: PlatformTrust, key: PlatformKey): void {
    const kidHex = toHex(key.kid);
    const where = `platform '${platform.platformId}' key ${kidHex}`;
    checkKid(where, key.kid, kidOf(key.publicKey));
    const kind = kindOf(key.publicKey);
    const expected = kind === 'ed25519' ? ALG.EdDSA : kind === 'rsa' ? ALG.PS256 : undefined;
    if (expected !== key.alg) {
      throw new KeyError('ALG_MISMATCH', `${where}: alg ${key.alg} does not fit a ${kind} key`);
    }
    const other = this.byPlatformKid.get(kidHex);
    if (other !== undefined) {
      const code = other.platform === platform ? 'DUPLICATE_KID' : 'KID_ON_TWO_PLATFORMS';
      throw new KeyError(code, `signing kid ${kidHex} is bound to platform '${other.platform.platformId}' and to '${platform.platformId}'`);
    }
    this.byPlatformKid.set(kidHex, { platform, key });
  }

  private addMerchantKey(key: MerchantKey): void {
    const prepared = prepareMerchantKey(key);
    if (this.byMerchantKid.has(prepared.kidHex)) throw new KeyError('DUPLICATE_KID', `merchant key ${prepared.kidHex} is listed twice`);
    this.byMerchantKid.set(prepared.kidHex, prepared);
  }
}

/** A decryption key with what decryption needs precomputed; KeyError when the declared kid or kind is not the key's. */
export function prepareMerchantKey(key: MerchantKey): PreparedMerchantKey {
  const kidHex = toHex(key.kid);
  const where = `merchant key ${kidHex}`;
  const publicKey = createPublicKey(key.privateKey);
  checkKid(where, key.kid, kidOf(publicKey));
  const kind = kindOf(publicKey);
  if (kind !== key.kind) throw new KeyError('ALG_MISMATCH', `${where}: declared ${key.kind} but the key is ${kind}`);
  const modulusBytes = kind === 'rsa' ? Math.ceil(rsaBitsOf(publicKey) / 8) : 0;
  return { ...key, kidHex, modulusBytes };
}

function checkKid(where: string, declared: Uint8Array, actual: Uint8Array): void {
  if (toHex(declared) !== toHex(actual)) {
    throw new KeyError('KID_MISMATCH', `${where}: the key's kid is ${toHex(actual)}`);
  }
}
