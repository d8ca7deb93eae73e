/**
 * Reading the enrolled platforms of a home (layout.ts). Every file is
 * checked as the service would use it: the folder and key files private to
 * the kiosk user (no symlinks), enrollment.json against its schema and
 * against its own signed enrollment document, the trust bundle against its
 * own keys, every key against the kid it is filed under. A problem throws
 * HomeError naming the file and the fix.
 */
import { existsSync, lstatSync } from 'node:fs';
import path from 'node:path';
import type { PlatformKey } from '../../coupon/types.js';
import { HomeError } from '../../device/home-error.js';
import { checkMode } from '../../device/merchant-keys.js';
import { ENROLLMENT_CONTENT_TYPE, TRUST_BUNDLE_CONTENT_TYPE, decodeEnrollment, decodeTrustBundle, type TrustBundle } from '../../protocol/documents.js';
import { peekDocument, verifyDocument } from '../../protocol/signed-document.js';
import { credentialsDir, listNames, locate, readDeviceKey, readMerchantKey, type LoadedKey, type LoadedMerchantKey } from './key-files.js';
import {
  CREDENTIAL, ENROLLMENT_FILE, MERCHANT_KEYS_DIR, PLATFORM_ID, TERMINAL_KEY_FILE, TRUST_FILE, WRAP_KEY_FILE,
  merchantCredentialKid, merchantFileKid, platformDir, platformsDir,
} from './layout.js';
import { readEnrollmentRecord, readTrustRecord, type EnrollmentRecord } from './record.js';

export interface InstalledTrust {
  seq: number;
  issuedAt: number;
  receivedAt: number;
  /** the signed document (COSE_Sign) */
  document: Uint8Array;
  bundle: TrustBundle;
  /** the bundle's keys as the coupon verifier takes them */
  keys: PlatformKey[];
}

export interface EnrolledPlatform {
  platformId: string;
  dir: string;
  record: EnrollmentRecord;
  trust: InstalledTrust;
  terminalKey: LoadedKey;
  wrapKey: LoadedKey;
  /** empty for a disabled terminal, whatever files remain */
  merchantKeys: LoadedMerchantKey[];
}

export interface LoadOptions {
  /** $CREDENTIALS_DIRECTORY (default: from the environment) */
  credentials?: string | undefined;
}

/** The ids of the enrolled platforms (folders whose name is a platform id), sorted. */
export function enrolledIds(home: string): string[] {
  return listNames(platformsDir(home)).filter((n) => PLATFORM_ID.test(n));
}

export function loadPlatforms(home: string, opts: LoadOptions = {}): EnrolledPlatform[] {
  return enrolledIds(home).map((id) => loadPlatform(home, id, opts));
}

export function isEnrolled(home: string, platformId: string): boolean {
  return PLATFORM_ID.test(platformId) && existsSync(platformDir(home, platformId));
}

export function loadPlatform(home: string, platformId: string, opts: LoadOptions = {}): EnrolledPlatform {
  const dir = platformDir(home, platformId);
  checkMode(dir, 0o077, `chmod 700 ${dir}`);
  const record = loadRecord(dir, platformId);
  const trust = loadTrust(path.join(dir, TRUST_FILE), platformId);
  const credentials = 'credentials' in opts ? opts.credentials : credentialsDir();
  const terminalKey = readDeviceKey(locate(path.join(dir, TERMINAL_KEY_FILE), credentials, CREDENTIAL.terminal(platformId)), 'ed25519', record.terminalKid);
  const wrapKey = readDeviceKey(locate(path.join(dir, WRAP_KEY_FILE), credentials, CREDENTIAL.wrap(platformId)), 'x25519', record.wrapKid);
  const merchantKeys = record.disabled ? [] : loadMerchantKeys(dir, platformId, credentials);
  return { platformId, dir, record, trust, terminalKey, wrapKey, merchantKeys };
}

function loadRecord(dir: string, platformId: string): EnrollmentRecord {
  const file = path.join(dir, ENROLLMENT_FILE);
  if (existsSync(file)) checkMode(file, 0o022, `chmod 600 ${file}`);
  const record = readEnrollmentRecord(file);
  if (record.platformId !== platformId) throw new HomeError('ENROLLMENT_INVALID', `${file} says platformId '${record.platformId}' but lies in the folder of ${platformId}`);
  const peeked = peekDocument(Buffer.from(record.document, 'base64'));
  const doc = peeked.ok && peeked.contentType === ENROLLMENT_CONTENT_TYPE ? decodeEnrollment(peeked.payload) : undefined;
  if (!doc?.ok) throw new HomeError('ENROLLMENT_INVALID', `${file}: "document" is not a signed enrollment document`);
  const e = doc.enrollment;
  const differs = (['platformId', 'merchantId', 'branchId', 'terminalId', 'terminalKid', 'wrapKid'] as const).filter((k) => e[k] !== record[k]);
  if (differs.length > 0) throw new HomeError('ENROLLMENT_INVALID', `${file}: ${differs.join(', ')} differ from the signed enrollment document; enroll again`);
  return record;
}

/** The installed bundle, checked against its own keys (it was checked against the keys trusted before when it was installed). */
export function loadTrust(file: string, platformId: string): InstalledTrust {
  if (existsSync(file)) checkMode(file, 0o022, `chmod 600 ${file}`);
  const rec = readTrustRecord(file);
  const document = Uint8Array.from(Buffer.from(rec.document, 'base64'));
  const peeked = peekDocument(document);
  const decoded = peeked.ok ? decodeTrustBundle(peeked.payload) : undefined;
  if (!decoded?.ok) throw new HomeError('TRUST_INVALID', `${file}: "document" is not a signed trust bundle (${decoded ? decoded.message : 'malformed'})`);
  const byKid = new Map(decoded.bundle.keys.map((k, i) => [k.kid, decoded.keys[i]!]));
  const verified = verifyDocument(document, TRUST_BUNDLE_CONTENT_TYPE, (kid) => byKid.get(kid));
  if (!verified.ok) throw new HomeError('TRUST_INVALID', `${file}: the bundle is not signed by any of its own keys (${verified.code})`);
  const { bundle, keys } = decoded;
  if (bundle.platformId !== platformId || bundle.seq !== rec.seq) {
    throw new HomeError('TRUST_INVALID', `${file}: holds bundle ${bundle.seq} of platform '${bundle.platformId}', filed as ${rec.seq} of '${platformId}'`);
  }
  return { seq: rec.seq, issuedAt: rec.issuedAt, receivedAt: rec.receivedAt, document, bundle, keys };
}

/** keys/merchant-<kid>.pem, and the platform's merchant-key credentials (which win over a home file of the same kid). */
function loadMerchantKeys(dir: string, platformId: string, credentials: string | undefined): LoadedMerchantKey[] {
  const keysDir = path.join(dir, MERCHANT_KEYS_DIR);
  const found = new Map<string, LoadedMerchantKey>();
  if (existsSync(keysDir) || isLink(keysDir)) {
    checkMode(keysDir, 0o077, `chmod 700 ${keysDir}`);
    for (const name of listNames(keysDir)) {
      const kid = merchantFileKid(name);
      if (kid !== undefined) found.set(kid, readMerchantKey({ file: path.join(keysDir, name), origin: 'home' }, kid));
    }
  }
  for (const name of credentials === undefined ? [] : listNames(credentials)) {
    const kid = merchantCredentialKid(platformId, name);
    if (kid !== undefined) found.set(kid, readMerchantKey({ file: path.join(credentials!, name), origin: 'credentials' }, kid));
  }
  return [...found.values()];
}

function isLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
