/**
 * What the demo reads off a coupon's text without any key (its suite, from
 * the outer COSE_Encrypt), and the tampered copy it makes: one bit changed in
 * the encrypted body, as a damaged or edited code would carry, which AES-GCM's
 * tag must catch (DECRYPTION_FAILED).
 */
import { decodeBase64, decodeCbor, encodeBase64, Tagged } from '../coupon/index.js';
import { parseEncrypt } from '../coupon/cose-parse.js';
import { ALG } from '../coupon/types.js';

const TAG_ENCRYPT = 96;

function encryptParts(text: string): { bytes: Uint8Array; parts: ReturnType<typeof parseEncrypt> } {
  const bytes = decodeBase64(text);
  const outer = decodeCbor(bytes);
  if (!(outer instanceof Tagged) || outer.tag !== TAG_ENCRYPT) throw new Error('not a COSE_Encrypt coupon');
  return { bytes, parts: parseEncrypt(outer.value) };
}

/** "X25519" or "RSA": the key-agreement suite of COUPON-FORMAT.md §3, read from the recipient's alg. */
export function suiteOf(text: string): 'X25519' | 'RSA' {
  const alg = encryptParts(text).parts.recipient.alg;
  return alg === ALG.RSAES_OAEP_SHA256 ? 'RSA' : 'X25519';
}

/** The same coupon with one bit of its ciphertext flipped, still well-formed Base64 and CBOR. */
export function tamper(text: string): string {
  const { bytes, parts } = encryptParts(text);
  const at = Buffer.from(bytes).indexOf(Buffer.from(parts.ciphertext));
  if (at < 0) throw new Error('ciphertext not found in the coupon bytes');
  const out = Uint8Array.from(bytes);
  const i = at + Math.floor(parts.ciphertext.length / 2);
  out[i] = (out[i] ?? 0) ^ 0x01;
  return encodeBase64(out);
}
