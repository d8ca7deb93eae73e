/**
 * Writing the key store (layout.ts), always under its lock (lock.ts):
 *
 * - install: a new platform is written whole into a staging folder, synced,
 *   and renamed into place in one step; a kill -9 before the rename leaves
 *   the home as it was (the staging folder is ignored and cleaned up), after
 *   it the platform is whole;
 * - updates (refresh, sync worker): one file at a time, each replaced
 *   atomically, in an order where every intermediate state is usable;
 * - removal: the folder is renamed aside in one step, then deleted.
 *
 * Every change ends by rewriting `.generation`, which running kiosks watch.
 */
import { randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { MerchantKey } from '../../coupon/types.js';
import { toHex } from '../../coupon/index.js';
import { ensureDir, fsyncDir, writeFileAtomic } from '../../device/atomic-write.js';
import { crashPoint } from '../crash-point.js';
import { ProvisionError } from '../errors.js';
import { listNames, writePrivateKey } from './key-files.js';
import {
  ENROLLMENT_FILE, GENERATION_FILE, LOCK_FILE, MERCHANT_KEYS_DIR, REMOVING_PREFIX, STAGING_PREFIX, TERMINAL_KEY_FILE, TRUST_FILE, WRAP_KEY_FILE,
  merchantKeyFile, platformDir, platformsDir,
} from './layout.js';
import { writeRecord, type EnrollmentRecord, type TrustRecord } from './record.js';

/** Everything an enrolled platform's folder holds. */
export interface PlatformMaterial {
  record: EnrollmentRecord;
  trust: TrustRecord;
  terminalKey: KeyObject;
  wrapKey: KeyObject;
  merchantKeys: readonly MerchantKey[];
}

/** An enrollment that keeps its keys for a retry leaves them in this staging folder. */
export const STAGING_MAX_AGE_MS = 8 * 24 * 3600_000;

export function bumpGeneration(home: string): void {
  const dir = platformsDir(home);
  ensureDir(dir, 0o700);
  writeFileAtomic(path.join(dir, GENERATION_FILE), `${Date.now()} ${randomBytes(8).toString('hex')}\n`, 0o600);
}

/** A fresh staging folder (0700) for a platform's files. */
export function newStaging(home: string, name = randomBytes(8).toString('hex')): string {
  const dir = path.join(platformsDir(home), STAGING_PREFIX + name);
  ensureDir(dir, 0o700);
  return dir;
}

/** Writes the platform into `staging` and renames it into place. ALREADY_ENROLLED when the platform is there. */
export function installPlatform(home: string, staging: string, m: PlatformMaterial): string {
  const target = platformDir(home, m.record.platformId);
  if (existsSync(target)) throw new ProvisionError('ALREADY_ENROLLED', `platform '${m.record.platformId}' is enrolled in ${home} already; remove it first (kiosk provision remove --platform ${m.record.platformId})`);
  writePrivateKey(path.join(staging, TERMINAL_KEY_FILE), m.terminalKey);
  writePrivateKey(path.join(staging, WRAP_KEY_FILE), m.wrapKey);
  ensureDir(path.join(staging, MERCHANT_KEYS_DIR), 0o700);
  for (const key of m.merchantKeys) writePrivateKey(merchantKeyFile(staging, toHex(key.kid)), key.privateKey);
  fsyncDir(path.join(staging, MERCHANT_KEYS_DIR));
  writeRecord(path.join(staging, TRUST_FILE), m.trust);
  writeRecord(path.join(staging, ENROLLMENT_FILE), m.record);
  crashPoint('install:staged');
  renameSync(staging, target); // one step: before it nothing is enrolled, after it everything is
  crashPoint('install:renamed');
  fsyncDir(platformsDir(home));
  bumpGeneration(home);
  return target;
}

export function replaceTrust(dir: string, trust: TrustRecord): void {
  writeRecord(path.join(dir, TRUST_FILE), trust);
}

export function replaceRecord(dir: string, record: EnrollmentRecord): void {
  writeRecord(path.join(dir, ENROLLMENT_FILE), record);
}

export function putMerchantKeys(dir: string, keys: readonly MerchantKey[]): void {
  ensureDir(path.join(dir, MERCHANT_KEYS_DIR), 0o700);
  for (const key of keys) writePrivateKey(merchantKeyFile(dir, toHex(key.kid)), key.privateKey);
}

export function dropMerchantKeys(dir: string, kids: readonly string[]): void {
  for (const kid of kids) rmSync(merchantKeyFile(dir, kid), { force: true });
  if (kids.length > 0) fsyncDir(path.join(dir, MERCHANT_KEYS_DIR));
}

/** Renames the platform's folder aside (one step), then deletes it. */
export function removePlatformDir(home: string, platformId: string): void {
  const dir = platformDir(home, platformId);
  const aside = path.join(platformsDir(home), `${REMOVING_PREFIX}${platformId}-${randomBytes(4).toString('hex')}`);
  renameSync(dir, aside);
  fsyncDir(platformsDir(home));
  crashPoint('remove:renamed');
  rmSync(aside, { recursive: true, force: true });
  bumpGeneration(home);
}

/**
 * What crashed writers left behind: folders of removals (always), staging
 * folders older than STAGING_MAX_AGE_MS (a token cannot outlive that), stale
 * lock copies. `keep` is a staging folder in use.
 */
export function cleanLeftovers(home: string, nowMs: number, keep?: string): string[] {
  const dir = platformsDir(home);
  const removed: string[] = [];
  for (const name of listNames(dir)) {
    const file = path.join(dir, name);
    if (file === keep) continue;
    const old = name.startsWith(STAGING_PREFIX) && nowMs - statSync(file).mtimeMs > STAGING_MAX_AGE_MS;
    if (name.startsWith(REMOVING_PREFIX) || old || name.startsWith(`${LOCK_FILE}.stale-`)) {
      rmSync(file, { recursive: true, force: true });
      removed.push(name);
    }
  }
  return removed;
}

/** Staging folders present now (an enrollment interrupted, or one in progress). */
export function stagingFolders(home: string): string[] {
  return listNames(platformsDir(home)).filter((n) => n.startsWith(STAGING_PREFIX));
}
