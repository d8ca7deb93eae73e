/**
 * Content-Digest (RFC 9530 §2): a structured-field dictionary of digests of
 * the message content. We send `sha-256` alone; on receipt every digest we
 * know (`sha-256`, `sha-512`) must match, at least one must be there, and
 * unknown algorithms are ignored (RFC 9530 §2 lets a recipient ignore them;
 * §6.7 warns that accepting a weak one next to a strong one is no stronger
 * than the weak one, hence no md5/sha here).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { parseDictionary, serializeDictionary } from 'structured-headers';

/** Algorithms we check, with their digest length in bytes (RFC 9530 §5 registry). */
const KNOWN: Readonly<Record<string, { hash: 'sha256' | 'sha512'; bytes: number }>> = {
  'sha-256': { hash: 'sha256', bytes: 32 },
  'sha-512': { hash: 'sha512', bytes: 64 },
};

export type DigestProblem = 'DIGEST_MALFORMED' | 'DIGEST_UNSUPPORTED' | 'DIGEST_MISMATCH';

export type DigestCheck = { ok: true } | { ok: false; code: DigestProblem; message: string };

/** The Content-Digest field value for `body`: `sha-256=:<base64>:`. */
export function contentDigest(body: Uint8Array): string {
  const digest = createHash('sha256').update(body).digest();
  return serializeDictionary(new Map([['sha-256', [digest, new Map()]]]));
}

/** Checks a received Content-Digest field value against the content it came with. */
export function checkContentDigest(fieldValue: string, body: Uint8Array): DigestCheck {
  let dict;
  try {
    dict = parseDictionary(fieldValue);
  } catch (err) {
    return { ok: false, code: 'DIGEST_MALFORMED', message: `Content-Digest is not a structured dictionary: ${(err as Error).message}` };
  }
  let checked = 0;
  for (const [name, member] of dict) {
    const alg = KNOWN[name];
    if (alg === undefined) continue;
    const value = member[0];
    if (!(value instanceof ArrayBuffer) || value.byteLength !== alg.bytes) {
      return { ok: false, code: 'DIGEST_MALFORMED', message: `Content-Digest ${name} must be a byte sequence of ${alg.bytes} bytes` };
    }
    const actual = createHash(alg.hash).update(body).digest();
    if (!timingSafeEqual(actual, new Uint8Array(value))) {
      return { ok: false, code: 'DIGEST_MISMATCH', message: `Content-Digest ${name} does not match the ${body.length}-byte content` };
    }
    checked++;
  }
  if (checked === 0) {
    const names = [...dict.keys()].join(', ') || 'none';
    return { ok: false, code: 'DIGEST_UNSUPPORTED', message: `Content-Digest has no sha-256 or sha-512 digest (has: ${names})` };
  }
  return { ok: true };
}
