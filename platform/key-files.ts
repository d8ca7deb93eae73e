/**
 * Key files of the reference platform: PKCS#8 private keys (mode 0600) and
 * SPKI public keys, PEM. Reading checks the key type for its role and the RSA
 * size (COUPON-FORMAT.md §3: 2048 bits or more), naming the file on error.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { privateKeyFromPem, privateKeyToPem, publicKeyFromPem, publicKeyToPem, type KeyKind } from '../coupon/index.js';
import { CliError } from './cli-error.js';

export type { KeyKind };
/** COUPON-FORMAT.md §3; the coupon library refuses smaller RSA keys too */
export const MIN_RSA_BITS = 2048;
export const KEY_KINDS: readonly KeyKind[] = ['ed25519', 'x25519', 'rsa'];

function readPem(file: string, role: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError('KEY_FILE', `cannot read ${role} file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
}

/** Parse with the coupon library (which refuses RSA under 2048 bits), then check the kind fits the role. */
function parseKey(file: string, role: string, kinds: readonly KeyKind[], parse: (pem: string) => KeyObject): KeyObject {
  const pem = readPem(file, role);
  let key: KeyObject;
  try {
    key = parse(pem);
  } catch (err) {
    throw new CliError('KEY_FILE', `${file} (${role}): ${(err as Error).message}`, { cause: err });
  }
  const kind = key.asymmetricKeyType ?? 'unknown';
  if (!(kinds as readonly string[]).includes(kind)) {
    throw new CliError('KEY_FILE', `${file}: a ${role} must be ${kinds.join(' or ')}, not ${kind}`);
  }
  return key;
}

/** A PKCS#8 private key of one of `kinds`, e.g. the platform signing key. */
export function readPrivateKey(file: string, role: string, kinds: readonly KeyKind[]): KeyObject {
  return parseKey(file, role, kinds, privateKeyFromPem);
}

/** A public key of one of `kinds` (SPKI; a private key PEM also gives its public half). */
export function readPublicKey(file: string, role: string, kinds: readonly KeyKind[]): KeyObject {
  return parseKey(file, role, kinds, publicKeyFromPem);
}

export interface KeyPairFiles {
  privateFile: string;
  publicFile: string;
}

/** Write PREFIX.key.pem (0600) and PREFIX.pub.pem; refuses to overwrite unless `force`. */
export function writeKeyPair(prefix: string, pair: { publicKey: KeyObject; privateKey: KeyObject }, force: boolean): KeyPairFiles {
  const files = { privateFile: `${prefix}.key.pem`, publicFile: `${prefix}.pub.pem` };
  const flag = force ? 'w' : 'wx';
  try {
    writeFileSync(files.privateFile, privateKeyToPem(pair.privateKey), { mode: 0o600, flag });
    chmodSync(files.privateFile, 0o600); // an overwritten file keeps its old mode otherwise
    writeFileSync(files.publicFile, publicKeyToPem(pair.publicKey), { mode: 0o644, flag });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint = code === 'EEXIST' ? ' (exists; pass --force to replace it)' : '';
    throw new CliError('OUTPUT', `cannot write key files ${prefix}.*.pem: ${code ?? String(err)}${hint}`, { cause: err });
  }
  return files;
}
