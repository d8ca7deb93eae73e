/**
 * The kiosk's identity towards one enrolled platform, as enrollment leaves it:
 *
 *   HOME/platforms/<platformId>/            0700, owned by the kiosk user
 *     enrollment.json   {"platformId","terminalId","merchantId","branchId", …more later}
 *     terminal.pem      the terminal's Ed25519 signing key, PKCS#8 PEM, 0600
 *
 * Enrollment (another part) writes these; this reads them, refusing a
 * symlink, a file of another owner, or a key others can read. A platform
 * added from PEM files alone (`kiosk provision import`) has no such folder:
 * it has no terminal key and cannot sign (its USB batches are skipped).
 */
import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { KeyError, kidOf, privateKeyFromPem, toHex } from '../coupon/index.js';
import { HomeError } from '../device/home-error.js';
import { checkSecure } from './secure-file.js';

export interface TerminalIdentity {
  platformId: string;
  terminalId: string;
  merchantId: string;
  branchId: string;
  /** Ed25519 */
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** 16 hex digits: the first 8 bytes of SHA-256 over the raw public key */
  kid: string;
}

export type IdentityLookup =
  | { ok: true; identity: TerminalIdentity }
  | { ok: false; platformId: string; code: 'NO_TERMINAL_IDENTITY' | HomeError['code']; message: string };

export function platformDir(home: string, platformId: string): string {
  return path.join(path.resolve(home), 'platforms', platformId);
}

const REQUIRED = ['platformId', 'terminalId', 'merchantId', 'branchId'] as const;

function readEnrollment(file: string, platformId: string): Record<(typeof REQUIRED)[number], string> {
  checkSecure(file, { forbidden: 0o022 });
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HomeError('ENROLLMENT_INVALID', `${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HomeError('ENROLLMENT_INVALID', `${file}: must be a JSON object`);
  const obj = value as Record<string, unknown>;
  const bad = REQUIRED.filter((k) => typeof obj[k] !== 'string' || !/^\S{1,128}$/.test(obj[k]));
  if (bad.length > 0) throw new HomeError('ENROLLMENT_INVALID', `${file}: ${bad.map((k) => `"${k}" must be 1-128 non-space characters, got ${JSON.stringify(obj[k])}`).join('; ')}`);
  if (obj['platformId'] !== platformId) {
    throw new HomeError('ENROLLMENT_INVALID', `${file} says platformId ${JSON.stringify(obj['platformId'])} but lies in the folder of ${platformId}`);
  }
  return { platformId, terminalId: obj['terminalId'] as string, merchantId: obj['merchantId'] as string, branchId: obj['branchId'] as string };
}

function readTerminalKey(file: string): KeyObject {
  checkSecure(file, { forbidden: 0o077 });
  let key: KeyObject;
  try {
    key = privateKeyFromPem(readFileSync(file, 'utf8'));
  } catch (err) {
    if (!(err instanceof KeyError)) throw err;
    throw new HomeError('KEY_INVALID', `${file}: not a PKCS#8 private key PEM`, { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new HomeError('KEY_INVALID', `${file}: the terminal key must be Ed25519, got ${key.asymmetricKeyType}`);
  return key;
}

/** Throws HomeError naming the file and the fix; NO_TERMINAL_IDENTITY (as a HomeError message) when the folder is not there. */
export function loadTerminalIdentity(home: string, platformId: string): TerminalIdentity {
  const dir = platformDir(home, platformId);
  checkSecure(dir, { dir: true, forbidden: 0o077 });
  const enrollment = readEnrollment(path.join(dir, 'enrollment.json'), platformId);
  const privateKey = readTerminalKey(path.join(dir, 'terminal.pem'));
  const publicKey = createPublicKey(privateKey);
  return { ...enrollment, privateKey, publicKey, kid: toHex(kidOf(publicKey)) };
}

/** The identity for one platform, or why there is none; never throws for a broken one. */
export function lookupTerminalIdentity(home: string, platformId: string): IdentityLookup {
  if (!existsSync(platformDir(home, platformId))) {
    return {
      ok: false,
      platformId,
      code: 'NO_TERMINAL_IDENTITY',
      message: `platform ${platformId} has no terminal key (${platformDir(home, platformId)} is missing): it was added from PEM files, not enrolled, so its batches cannot be signed`,
    };
  }
  try {
    return { ok: true, identity: loadTerminalIdentity(home, platformId) };
  } catch (err) {
    if (!(err instanceof HomeError)) throw err;
    return { ok: false, platformId, code: err.code, message: err.message };
  }
}

/** Every enrolled platform's folder (staging folders of an enrollment in progress excluded). */
export function enrolledPlatformIds(home: string): string[] {
  const dir = path.join(path.resolve(home), 'platforms');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => !d.name.startsWith('.') && (d.isDirectory() || d.isSymbolicLink()))
    .map((d) => d.name)
    .sort();
}
