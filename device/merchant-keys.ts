/**
 * keys/: the merchant's private keys, one PKCS#8 PEM file each, in a 0700
 * directory, each file 0600. A key that group or others can read is refused
 * with the chmod that fixes it: a leaked merchant key lets anyone read coupons.
 */
import { createPublicKey } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { MerchantKey } from '../coupon/types.js';
import { kidOf, privateKeyFromPem } from '../coupon/index.js';
import { HomeError } from './home-error.js';

/** Load every *.pem in dir (missing dir = no keys). */
export function loadMerchantKeys(dir: string): MerchantKey[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.pem')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  checkMode(dir, 0o077, `chmod 700 ${dir}`);
  return names.map((n) => loadKeyFile(path.join(dir, n)));
}

function loadKeyFile(file: string): MerchantKey {
  checkMode(file, 0o077, `chmod 600 ${file}`);
  let privateKey;
  try {
    privateKey = privateKeyFromPem(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HomeError('KEY_INVALID', `${file}: not a PKCS#8 private key PEM`, { cause: err });
  }
  const kind = privateKey.asymmetricKeyType;
  if (kind !== 'x25519' && kind !== 'rsa') {
    throw new HomeError('KEY_INVALID', `${file}: a merchant key must be X25519 or RSA, not ${kind ?? 'unknown'}`);
  }
  const publicKey = createPublicKey(privateKey);
  return { kid: kidOf(publicKey), kind, privateKey };
}

/** Refuse a file or directory whose mode has any of the forbidden bits (POSIX only). */
export function checkMode(file: string, forbidden: number, fix: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(file).mode & 0o777;
  if ((mode & forbidden) !== 0) {
    throw new HomeError('KEY_PERMISSIONS', `${file} has mode ${mode.toString(8)}; others must not read keys. Run: ${fix}`);
  }
}
