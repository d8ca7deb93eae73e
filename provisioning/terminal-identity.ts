/**
 * The kiosk's identity towards one enrolled platform (its terminal id and
 * Ed25519 signing key), for the code that signs in its name: USB batch
 * manifests (sync/export/), and the sync worker. A view of the key store:
 * read by store/load.ts with all of its checks (folder and files private to
 * the kiosk user, no symlinks, enrollment.json matching what the platform
 * signed, the key matching its kid, or taken from $CREDENTIALS_DIRECTORY).
 * A platform added from PEM files alone (`kiosk provision import`) has no
 * folder: it has no terminal key and cannot sign (its USB batches are
 * skipped).
 */
import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { HomeError } from '../device/home-error.js';
import { enrolledIds, loadPlatform } from './store/load.js';
import { platformDir } from './store/layout.js';

export { platformDir } from './store/layout.js';

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

/** Throws HomeError naming the file and the fix. */
export function loadTerminalIdentity(home: string, platformId: string, opts: { credentials?: string | undefined } = {}): TerminalIdentity {
  const p = loadPlatform(home, platformId, opts);
  const { record, terminalKey } = p;
  return {
    platformId, terminalId: record.terminalId, merchantId: record.merchantId, branchId: record.branchId,
    privateKey: terminalKey.privateKey, publicKey: createPublicKey(terminalKey.privateKey), kid: terminalKey.kid,
  };
}

/** The identity for one platform, or why there is none; never throws for a broken one. */
export function lookupTerminalIdentity(home: string, platformId: string, opts: { credentials?: string | undefined } = {}): IdentityLookup {
  let dir: string;
  try {
    dir = platformDir(home, platformId);
  } catch {
    return { ok: false, platformId, code: 'NO_TERMINAL_IDENTITY', message: `'${platformId.slice(0, 80)}' is not a platform id this kiosk can be enrolled with` };
  }
  if (!existsSync(dir)) {
    return {
      ok: false,
      platformId,
      code: 'NO_TERMINAL_IDENTITY',
      message: `platform ${platformId} has no terminal key (${dir} is missing): it was added from PEM files, not enrolled, so its batches cannot be signed`,
    };
  }
  try {
    return { ok: true, identity: loadTerminalIdentity(home, platformId, opts) };
  } catch (err) {
    if (!(err instanceof HomeError)) throw err;
    return { ok: false, platformId, code: err.code, message: err.message };
  }
}

/** Every enrolled platform's folder (bookkeeping entries such as an enrollment in progress excluded). */
export function enrolledPlatformIds(home: string): string[] {
  return enrolledIds(home);
}
