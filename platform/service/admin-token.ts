/**
 * The admin token of one data directory: made at the first start
 * (DIR/admin-token, 32 random bytes base64url, mode 0600, never overwritten),
 * and its SHA-256 registered in the database at every start, so several
 * processes sharing one PostgreSQL each keep their own file and all of them
 * are accepted. A token file that others can read is refused, as OpenSSH
 * refuses such a private key.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Store } from '../store/store.js';
import { tokenHash } from './tokens.js';

export const ADMIN_TOKEN_FILE = 'admin-token';

export class AdminTokenError extends Error {
  override readonly name = 'AdminTokenError';
  readonly code = 'ADMIN_TOKEN_FILE';
}

/** The token in `file`, after checking that only its owner can read it. */
export function readAdminToken(file: string): string {
  let st;
  try {
    st = statSync(file);
  } catch (err) {
    throw new AdminTokenError(`cannot read the admin token ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  if ((st.mode & 0o077) !== 0) {
    throw new AdminTokenError(`${file} is readable by others (mode ${(st.mode & 0o777).toString(8)}): run \`chmod 600 ${file}\``);
  }
  const token = readFileSync(file, 'utf8').trim();
  if (!/^[A-Za-z0-9_-]{16,256}$/.test(token)) throw new AdminTokenError(`${file} does not hold an admin token`);
  return token;
}

/** Reads or makes DIR/admin-token and registers its hash; returns the file's path. */
export async function ensureAdminToken(dataDir: string, store: Store): Promise<string> {
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  let token: string;
  try {
    token = randomBytes(32).toString('base64url');
    writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new AdminTokenError(`cannot write ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
    token = readAdminToken(file);
  }
  await store.registerAdminToken(tokenHash(token), `${os.hostname()}:${path.resolve(dataDir)}`);
  return file;
}
