/**
 * A keyring from key files named on the command line (`kiosk verify`), for a
 * technician's dry check without a kiosk home: merchant private keys, and
 * platform public keys each tagged with its platform id, plus this merchant's
 * id at each platform. Every problem names the flag and the file.
 */

import { readFileSync } from 'node:fs';
import { Keyring, kidOf, merchantKeyFrom, privateKeyFromPem, publicKeyFromPem, signAlgOf } from '../../coupon/index.js';
import type { MerchantKey, PlatformTrust } from '../../coupon/types.js';

export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
  readonly code = 'KEY_FILE';
}

export interface KeyFilesSpec {
  merchantKeyFiles: string[];
  /** `PLATFORM_ID=FILE.pem`, several per platform during a rotation */
  platformKeys: string[];
  /** `PLATFORM_ID=MERCHANT_ID` */
  merchantIds: string[];
}

function readKey<T>(flag: string, file: string, parse: (pem: string) => T): T {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new KeyFileError(`${flag} ${file}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  try {
    return parse(pem);
  } catch (err) {
    throw new KeyFileError(`${flag} ${file}: ${(err as Error).message}`);
  }
}

function merchantKey(file: string): MerchantKey {
  return readKey('--merchant-key', file, (pem) => merchantKeyFrom(privateKeyFromPem(pem)));
}

/** Split `KEY=VALUE` at the first '='; both sides must be non-empty. */
export function splitPair(flag: string, value: string): [string, string] {
  const i = value.indexOf('=');
  if (i <= 0 || i === value.length - 1) throw new KeyFileError(`${flag} must be PLATFORM_ID=..., not '${value}'`);
  return [value.slice(0, i), value.slice(i + 1)];
}

function platforms(spec: KeyFilesSpec): PlatformTrust[] {
  const merchantIdOf = new Map<string, string>();
  for (const v of spec.merchantIds) {
    const [platformId, merchantId] = splitPair('--merchant-id', v);
    if (merchantIdOf.has(platformId)) throw new KeyFileError(`--merchant-id given twice for platform '${platformId}'`);
    merchantIdOf.set(platformId, merchantId);
  }
  const byId = new Map<string, PlatformTrust>();
  for (const v of spec.platformKeys) {
    const [platformId, file] = splitPair('--platform-key', v);
    const merchantId = merchantIdOf.get(platformId);
    if (merchantId === undefined) throw new KeyFileError(`--platform-key ${v}: no --merchant-id ${platformId}=MERCHANT_ID says who this merchant is at '${platformId}'`);
    const { publicKey, alg } = readKey('--platform-key', file, (pem) => {
      const key = publicKeyFromPem(pem);
      return { publicKey: key, alg: signAlgOf(key) };
    });
    const platform = byId.get(platformId) ?? { platformId, merchantId, keys: [] };
    platform.keys.push({ kid: kidOf(publicKey), alg, publicKey });
    byId.set(platformId, platform);
  }
  for (const platformId of merchantIdOf.keys()) {
    if (!byId.has(platformId)) throw new KeyFileError(`--merchant-id ${platformId}=...: no --platform-key ${platformId}=FILE.pem for that platform`);
  }
  return [...byId.values()];
}

export function keyringFromFiles(spec: KeyFilesSpec): Keyring {
  if (spec.merchantKeyFiles.length === 0) throw new KeyFileError('missing --merchant-key FILE.pem (the merchant private key)');
  if (spec.platformKeys.length === 0) throw new KeyFileError('missing --platform-key PLATFORM_ID=FILE.pem');
  const init = { platforms: platforms(spec), merchantKeys: spec.merchantKeyFiles.map(merchantKey) };
  try {
    return new Keyring(init);
  } catch (err) {
    throw new KeyFileError(`keys: ${(err as Error).message}`);
  }
}
