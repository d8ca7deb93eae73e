/**
 * The minimal key import (issue 3): add a platform's signing public key to
 * trust.json and the merchant's private key to keys/, so that the service can
 * run. Idempotent: importing the same keys twice changes nothing.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { KeyError, kidOf, merchantKeyFrom, privateKeyToPem, publicKeyToPem, signAlgOf, toHex } from '../coupon/index.js';
import type { SignAlg } from '../coupon/types.js';
import { HomeError } from '../device/home-error.js';
import { homePaths, readTrust } from '../device/home.js';
import type { TrustJson } from '../device/trust-store.js';
import { ensureDir, writeFileAtomic } from './atomic-write.js';
import { isEnrolled } from './store/load.js';

export interface ImportInput {
  home: string;
  platformId: string;
  /** SPKI public key PEM, or a private key PEM (its public half is taken) */
  platformKeyPem: string;
  merchantId: string;
  /** PKCS#8 (or PKCS#1 / SEC1) private key PEM, X25519 or RSA >= 2048 */
  merchantKeyPem: string;
}

export interface ImportResult {
  platformKid: string;
  platformAlg: SignAlg;
  merchantKid: string;
  merchantKind: 'x25519' | 'rsa';
  merchantKeyFile: string;
  trustChanged: boolean;
  keyWritten: boolean;
}

export function importKeys(input: ImportInput): ImportResult {
  checkId('platform id', input.platformId);
  checkId('merchant id', input.merchantId);
  const platformKey = platformPublicKey(input.platformKeyPem);
  const platformAlg = asProvisionError('platform key', () => signAlgOf(platformKey));
  const merchantKey = merchantPrivateKey(input.merchantKeyPem);
  const paths = homePaths(input.home);
  if (isEnrolled(input.home, input.platformId)) {
    throw new HomeError('PLATFORM_CONFLICT', `platform '${input.platformId}' is enrolled in this home (platforms/${input.platformId}); one platform may not be in both places: its keys come with the enrollment (kiosk provision refresh)`);
  }
  // an existing home too: the ledger in it holds consumer ids
  ensureDir(paths.home, 0o700);
  const platformKid = toHex(kidOf(platformKey));
  const trustChanged = updateTrust(paths.trust, input, platformKid, platformAlg, publicKeyToPem(platformKey));
  const written = writeMerchantKey(paths.keys, merchantKey);
  return { platformKid, platformAlg, ...written, trustChanged };
}

function platformPublicKey(pem: string): KeyObject {
  try {
    return createPublicKey(pem); // accepts a private PEM too and derives the public half
  } catch (err) {
    throw new HomeError('PROVISION_INVALID', 'platform key: not a PEM public or private key', { cause: err });
  }
}

function merchantPrivateKey(pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new HomeError('PROVISION_INVALID', 'merchant key: not a PEM private key (a public key cannot decrypt coupons)', { cause: err });
  }
  asProvisionError('merchant key', () => merchantKeyFrom(key));
  return key;
}

/** The format's key rules (coupon/keys.ts) as provisioning errors naming the key. */
function asProvisionError<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof KeyError) throw new HomeError('PROVISION_INVALID', `${what}: ${err.message}`, { cause: err });
    throw err;
  }
}

/** Add or update the platform in trust.json; returns whether the file changed. */
function updateTrust(file: string, input: ImportInput, kid: string, alg: SignAlg, publicKey: string): boolean {
  const trust: TrustJson = readTrust(file);
  const before = JSON.stringify(trust);
  const owner = trust.platforms.find((p) => p.id !== input.platformId && p.keys.some((k) => k.kid === kid));
  if (owner) {
    throw new HomeError('PROVISION_INVALID', `platform key ${kid} is already bound to platform '${owner.id}'; a signing key belongs to one platform only`);
  }
  let platform = trust.platforms.find((p) => p.id === input.platformId);
  if (!platform) {
    platform = { id: input.platformId, merchantId: input.merchantId, keys: [] };
    trust.platforms.push(platform);
  }
  platform.merchantId = input.merchantId;
  if (!platform.keys.some((k) => k.kid === kid)) platform.keys.push({ kid, alg, publicKey });
  const after = JSON.stringify(trust, null, 2) + '\n';
  if (JSON.stringify(trust) === before && existsSync(file)) return false;
  writeFileAtomic(file, after, 0o644);
  return true;
}

function writeMerchantKey(dir: string, key: KeyObject): Omit<ImportResult, 'platformKid' | 'platformAlg' | 'trustChanged'> {
  if (isSymlink(dir)) throw new HomeError('KEY_PERMISSIONS', `${dir} is a symlink; keys must live in the kiosk home itself. Run: rm ${dir}, then import again`);
  ensureDir(dir, 0o700);
  const merchantKid = toHex(kidOf(createPublicKey(key)));
  const file = path.join(dir, `merchant-${merchantKid}.pem`);
  const pem = privateKeyToPem(key);
  // a symlink is replaced by the file itself (the atomic rename), never followed
  const same = existsSync(file) && !isSymlink(file) && readFileSync(file, 'utf8') === pem;
  if (!same) writeFileAtomic(file, pem, 0o600);
  else chmodSync(file, 0o600); // an existing copy may have been loosened by hand
  return { merchantKid, merchantKind: key.asymmetricKeyType as 'x25519' | 'rsa', merchantKeyFile: file, keyWritten: !same };
}

function checkId(what: string, id: string): void {
  if (!/^\S{1,128}$/.test(id)) throw new HomeError('PROVISION_INVALID', `${what} ${JSON.stringify(id)} must be 1-128 non-space characters`);
}


function isSymlink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
