/**
 * Passphrase sealing for offline provisioning bundles (docs/protocol.md "Key
 * delivery"): scrypt → AES-256-GCM, in a versioned JSON envelope whose every
 * other field is the AAD. scrypt derives 64 bytes: the first 32 are the AES
 * key, the last 32 key an HMAC whose first 16 bytes (`check`) tell a wrong
 * passphrase from a tampered envelope. Async: scrypt runs on libuv's thread
 * pool, never blocking a running kiosk's event loop for the ~1 s it takes on
 * a Raspberry Pi.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { Type, type Static } from 'typebox';
import { payloadReader } from './json-payload.js';

export const PASSPHRASE_FORMAT = 'coupon-kiosk/passphrase-sealed';
export const PASSPHRASE_VERSION = 1;
/** N = 2^15, r = 8, p = 1: 32 MiB, ~0.2 s on this build machine, ~1 s on a Raspberry Pi 4 (docs/decisions.md). */
export const SCRYPT_DEFAULTS = { N: 32768, r: 8, p: 1 } as const;
export const MIN_PASSPHRASE_CHARS = 12;
export const MAX_PASSPHRASE_CHARS = 1024;

export const PASSPHRASE_CODES = ['MALFORMED', 'UNSUPPORTED_VERSION', 'WRONG_CONTENT_TYPE', 'WRONG_PASSPHRASE', 'TAMPERED'] as const;
export type PassphraseCode = (typeof PASSPHRASE_CODES)[number];
export type PassphrasePolicyCode = 'PASSPHRASE_TOO_SHORT' | 'PASSPHRASE_TOO_LONG';

const B64URL = (bytes: number) => ({ pattern: `^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$` });

/** Version 1: scrypt's N a power of two from 2^14 to 2^17, r = 8, p 1 to 4 (at most 128 MiB per lane). */
export const PassphraseSealedSchema = Type.Object(
  {
    format: Type.Literal(PASSPHRASE_FORMAT),
    version: Type.Literal(PASSPHRASE_VERSION),
    contentType: Type.String({ minLength: 1, maxLength: 200 }),
    kdf: Type.Object(
      {
        name: Type.Literal('scrypt'),
        N: Type.Union([Type.Literal(16384), Type.Literal(32768), Type.Literal(65536), Type.Literal(131072)]),
        r: Type.Literal(8),
        p: Type.Integer({ minimum: 1, maximum: 4 }),
        salt: Type.String(B64URL(16)),
      },
      { additionalProperties: false },
    ),
    cipher: Type.Literal('A256GCM'),
    iv: Type.String(B64URL(12)),
    check: Type.String(B64URL(16)),
    /** ciphertext with the 16-byte tag appended */
    ciphertext: Type.String({ pattern: '^[A-Za-z0-9_-]{22,}$', maxLength: 1_000_000 }),
  },
  { additionalProperties: false },
);

export type PassphraseSealed = Static<typeof PassphraseSealedSchema>;
export type ScryptN = PassphraseSealed['kdf']['N'];
export type PassphraseOpenResult = { ok: true; plaintext: Uint8Array } | { ok: false; code: PassphraseCode; message: string };

export class PassphrasePolicyError extends Error {
  override readonly name = 'PassphrasePolicyError';
  constructor(
    readonly code: PassphrasePolicyCode,
    message: string,
  ) {
    super(message);
  }
}

const reader = payloadReader(PassphraseSealedSchema, 'passphrase-sealed envelope');
const CHECK_LABEL = 'coupon-kiosk passphrase check v1';
const TAG_BYTES = 16;

/** Passphrases are compared after NFKC normalization, so one typed on another keyboard or OS still matches. */
function normalize(passphrase: string): string {
  return passphrase.normalize('NFKC');
}

/** The policy for a passphrase that protects keys offline: 12 to 1024 characters (after NFKC). */
export function checkPassphrase(passphrase: string): { ok: true } | { ok: false; code: PassphrasePolicyCode; message: string } {
  const chars = [...normalize(passphrase)].length;
  if (chars < MIN_PASSPHRASE_CHARS) {
    return { ok: false, code: 'PASSPHRASE_TOO_SHORT', message: `the passphrase has ${chars} characters; use at least ${MIN_PASSPHRASE_CHARS} (several words are easiest)` };
  }
  if (chars > MAX_PASSPHRASE_CHARS) return { ok: false, code: 'PASSPHRASE_TOO_LONG', message: `the passphrase has ${chars} characters; at most ${MAX_PASSPHRASE_CHARS}` };
  return { ok: true };
}

function derive(passphrase: string, kdf: PassphraseSealed['kdf']): Promise<{ key: Buffer; check: Buffer }> {
  const salt = Buffer.from(kdf.salt, 'base64url');
  const maxmem = 128 * kdf.N * kdf.r * kdf.p + 16 * 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(normalize(passphrase), salt, 64, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem }, (err, out) => {
      if (err) return reject(err);
      const check = createHmac('sha256', out.subarray(32)).update(CHECK_LABEL).digest().subarray(0, 16);
      resolve({ key: out.subarray(0, 32), check });
    });
  });
}

/** The AAD: every field but the ciphertext, in a fixed order, from validated values. */
function header(env: Omit<PassphraseSealed, 'ciphertext'>): Buffer {
  const { format, version, contentType, kdf, cipher, iv, check } = env;
  return Buffer.from(JSON.stringify({ format, version, contentType, kdf: { name: kdf.name, N: kdf.N, r: kdf.r, p: kdf.p, salt: kdf.salt }, cipher, iv, check }), 'utf8');
}

/** Seals `plaintext` under a passphrase that passes checkPassphrase (PassphrasePolicyError otherwise). */
export async function sealWithPassphrase(plaintext: Uint8Array, passphrase: string, contentType: string, opts: { scrypt?: { N: ScryptN; p?: number } } = {}): Promise<PassphraseSealed> {
  const policy = checkPassphrase(passphrase);
  if (!policy.ok) throw new PassphrasePolicyError(policy.code, policy.message);
  const kdf: PassphraseSealed['kdf'] = { name: 'scrypt', N: opts.scrypt?.N ?? SCRYPT_DEFAULTS.N, r: SCRYPT_DEFAULTS.r, p: opts.scrypt?.p ?? SCRYPT_DEFAULTS.p, salt: randomBytes(16).toString('base64url') };
  const { key, check } = await derive(passphrase, kdf);
  const iv = randomBytes(12);
  const env: Omit<PassphraseSealed, 'ciphertext'> = { format: PASSPHRASE_FORMAT, version: PASSPHRASE_VERSION, contentType, kdf, cipher: 'A256GCM', iv: iv.toString('base64url'), check: check.toString('base64url') };
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(header(env));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
  const valid = reader.check({ ...env, ciphertext: ciphertext.toString('base64url') });
  if (!valid.ok) throw new TypeError(valid.message); // e.g. an scrypt N outside version 1
  return valid.value;
}

/**
 * Opens an envelope (the parsed JSON value or its text). WRONG_PASSPHRASE
 * when the check does not match (a wrong passphrase, or altered scrypt
 * parameters); TAMPERED when the passphrase is right but the envelope or
 * ciphertext was altered. Never throws.
 */
export async function openWithPassphrase(envelope: unknown, passphrase: string, expectedContentType: string): Promise<PassphraseOpenResult> {
  let value = envelope;
  if (typeof envelope === 'string') {
    try {
      value = JSON.parse(envelope);
    } catch (err) {
      return { ok: false, code: 'MALFORMED', message: `passphrase-sealed envelope is not JSON: ${(err as Error).message}` };
    }
  }
  const claimed = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  if (claimed['format'] !== PASSPHRASE_FORMAT) return { ok: false, code: 'MALFORMED', message: `not a passphrase-sealed envelope (format is not '${PASSPHRASE_FORMAT}')` };
  if (claimed['version'] !== PASSPHRASE_VERSION) {
    return { ok: false, code: 'UNSUPPORTED_VERSION', message: `envelope version ${JSON.stringify(claimed['version'])}; this software reads version ${PASSPHRASE_VERSION}` };
  }
  const read = reader.check(value);
  if (!read.ok) return { ok: false, code: 'MALFORMED', message: read.message };
  const env = read.value;
  if (env.contentType !== expectedContentType) return { ok: false, code: 'WRONG_CONTENT_TYPE', message: `content type is '${env.contentType}', expected '${expectedContentType}'` };
  const { key, check } = await derive(passphrase, env.kdf);
  if (!timingSafeEqual(check, Buffer.from(env.check, 'base64url'))) {
    return { ok: false, code: 'WRONG_PASSPHRASE', message: 'wrong passphrase (or the envelope\'s scrypt parameters were altered)' };
  }
  const sealed = Buffer.from(env.ciphertext, 'base64url');
  if (sealed.length < TAG_BYTES) return { ok: false, code: 'MALFORMED', message: 'ciphertext shorter than its tag' };
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(env.iv, 'base64url'), { authTagLength: TAG_BYTES });
    decipher.setAAD(header(env));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const plaintext = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
    return { ok: true, plaintext: new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength) };
  } catch {
    return { ok: false, code: 'TAMPERED', message: 'the passphrase is right, but the envelope or its ciphertext was altered (AES-GCM authentication failed)' };
  }
}
