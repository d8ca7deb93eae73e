/**
 * keys/: the merchant's private keys, one PKCS#8 PEM file each, in a 0700
 * directory, each file 0600. A key that group or others can read is refused
 * with the chmod that fixes it: a leaked merchant key lets anyone read coupons.
 * As OpenSSH does with its keys, a key (or keys/) that is a symlink, or owned
 * by another user, is refused too: whoever controls the link or the file
 * controls which key the kiosk trusts.
 */
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import path from 'node:path';
import type { MerchantKey } from '../coupon/types.js';
import { KeyError, merchantKeyFrom, privateKeyFromPem } from '../coupon/index.js';
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
  try {
    return merchantKeyFrom(privateKeyFromPem(readFileSync(file, 'utf8')));
  } catch (err) {
    if (!(err instanceof KeyError)) throw err;
    throw new HomeError('KEY_INVALID', `${file}: ${err.code === 'BAD_PEM' ? 'not a PKCS#8 private key PEM' : err.message}`, { cause: err });
  }
}

/**
 * Refuse a key file or keys/ that is a symlink, is owned by another user
 * (root, reading what it finds, excepted), or has any of the forbidden mode
 * bits (POSIX only).
 */
export function checkMode(file: string, forbidden: number, fix: string): void {
  if (process.platform === 'win32') return;
  const st = lstatSync(file);
  if (st.isSymbolicLink()) {
    const target = readlinkSync(file);
    const replace = isDirectory(file) ? `rm ${file} && cp -a "$(readlink -f ${target})" ${file}` : `cp --remove-destination "$(readlink -f ${file})" ${file}`;
    throw new HomeError('KEY_PERMISSIONS', `${file} is a symlink (to ${target}); keys must be files in the kiosk home itself. Run: ${replace} && ${fix}`);
  }
  const me = process.getuid?.();
  if (me !== undefined && me !== 0 && st.uid !== me) {
    throw new HomeError('KEY_PERMISSIONS', `${file} is owned by uid ${st.uid}, not by uid ${me} that runs the kiosk. Run (as root): chown ${me} ${file}`);
  }
  const mode = st.mode & 0o777;
  if ((mode & forbidden) !== 0) {
    const rule = (forbidden & 0o044) !== 0 ? 'others must not read keys' : 'others must not change what steers the keys';
    throw new HomeError('KEY_PERMISSIONS', `${file} has mode ${mode.toString(8)}; ${rule}. Run: ${fix}`);
  }
}

function isDirectory(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}
