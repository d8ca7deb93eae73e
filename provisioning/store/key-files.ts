/**
 * Private key files of the key store: read only when they are real files of
 * the kiosk user that nobody else can read (the OpenSSH rule, with the
 * command that fixes it: device/merchant-keys.ts checkMode), each checked
 * against the kid it is filed under; written 0600, temp + fsync + rename +
 * fsync(dir). A key systemd put in $CREDENTIALS_DIRECTORY
 * (LoadCredentialEncrypted=) is taken from there instead of the home.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { KeyError, kidOf, merchantKeyFrom, privateKeyFromPem, privateKeyToPem, toHex } from '../../coupon/index.js';
import type { MerchantKey } from '../../coupon/types.js';
import { writeFileAtomic } from '../../device/atomic-write.js';
import { HomeError } from '../../device/home-error.js';
import { checkMode } from '../../device/merchant-keys.js';

export type KeyOrigin = 'home' | 'credentials';

export interface LoadedKey {
  kid: string;
  privateKey: KeyObject;
  /** the file it was read from */
  file: string;
  origin: KeyOrigin;
}

export interface LoadedMerchantKey extends MerchantKey {
  kidHex: string;
  file: string;
  origin: KeyOrigin;
}

/** $CREDENTIALS_DIRECTORY, when systemd set it and it exists. */
export function credentialsDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = env['CREDENTIALS_DIRECTORY'];
  return dir !== undefined && dir !== '' && existsSync(dir) ? dir : undefined;
}

/** The credential's file when present, else the home's. */
export function locate(homeFile: string, credentials: string | undefined, credentialName: string): { file: string; origin: KeyOrigin } {
  if (credentials !== undefined) {
    const file = path.join(credentials, credentialName);
    if (existsSync(file)) return { file, origin: 'credentials' };
  }
  return { file: homeFile, origin: 'home' };
}

/** A terminal (Ed25519) or wrap (X25519) key of the right type, whatever its kid. Throws HomeError. */
export function readTypedKey(where: { file: string; origin: KeyOrigin }, type: 'ed25519' | 'x25519'): LoadedKey {
  const key = readKeyFile(where.file);
  if (key.asymmetricKeyType !== type) throw new HomeError('KEY_INVALID', `${where.file}: must be an ${type} key, is ${String(key.asymmetricKeyType)}`);
  return { kid: toHex(kidOf(key)), privateKey: key, ...where };
}

/** A terminal (Ed25519) or wrap (X25519) key, checked against its kid. Throws HomeError. */
export function readDeviceKey(where: { file: string; origin: KeyOrigin }, type: 'ed25519' | 'x25519', kid: string): LoadedKey {
  const key = readTypedKey(where, type);
  if (key.kid !== kid) throw new HomeError('KID_MISMATCH', `${where.file}: the key's kid is ${key.kid}, but enrollment.json says ${kid}`);
  return key;
}

/** A merchant key (X25519 or RSA), checked against the kid its name gives. Throws HomeError. */
export function readMerchantKey(where: { file: string; origin: KeyOrigin }, kid: string): LoadedMerchantKey {
  const key = readKeyFile(where.file);
  let merchant: MerchantKey;
  try {
    merchant = merchantKeyFrom(key);
  } catch (err) {
    if (err instanceof KeyError) throw new HomeError('KEY_INVALID', `${where.file}: ${err.message}`, { cause: err });
    throw err;
  }
  const actual = toHex(merchant.kid);
  if (actual !== kid) throw new HomeError('KID_MISMATCH', `${where.file}: the key's kid is ${actual}, but its name says ${kid}`);
  return { ...merchant, kidHex: kid, ...where };
}

function readKeyFile(file: string): KeyObject {
  try {
    checkMode(file, 0o077, `chmod 600 ${file}`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new HomeError('KEY_INVALID', `${file} is missing`, { cause: err });
    throw err;
  }
  try {
    return privateKeyFromPem(readFileSync(file, 'utf8'));
  } catch (err) {
    if (err instanceof KeyError) throw new HomeError('KEY_INVALID', `${file}: not a PKCS#8 private key PEM`, { cause: err });
    throw err;
  }
}

/** Names in a directory, [] when it does not exist. */
export function listNames(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

export function writePrivateKey(file: string, key: KeyObject): void {
  writeFileAtomic(file, privateKeyToPem(key), 0o600);
}

/** The hex kid of a key (private or public). */
export function hexKid(key: KeyObject): string {
  return toHex(kidOf(key.type === 'private' ? createPublicKey(key) : key));
}
