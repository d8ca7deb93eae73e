/**
 * Structure checks of the two COSE layers (COUPON-FORMAT.md §2, §3). Each
 * function turns decoded CBOR into a typed shape or throws a Rejection:
 * MALFORMED for anything the format does not allow, UNSUPPORTED_ALGORITHM for
 * a well-placed alg outside the format.
 */
import type { CborMap, CborValue } from './cbor.js';
import { coseShape } from './cose-shape.js';
import { COSE_KEY, GCM_TAG_BYTES, HEADER, IV_BYTES, X25519_BYTES } from './cose.js';
import { Rejection, malformed } from './rejection.js';
import { ALG, type ContentAlg, type KeyAlg, type SignAlg } from './types.js';

export interface RecipientParts {
  rProtected: Uint8Array;
  alg: KeyAlg;
  kid: Uint8Array;
  /** X25519 suite: the ephemeral public key's 32 bytes */
  ephemeralX?: Uint8Array;
  /** RSA suite: the wrapped CEK */
  wrappedKey: Uint8Array;
}

export interface EncryptParts {
  bodyProtected: Uint8Array;
  /** the decoded protected header, for labels beside alg */
  bodyHeader: CborMap;
  contentAlg: ContentAlg;
  iv: Uint8Array;
  ciphertext: Uint8Array;
  recipient: RecipientParts;
}

export interface Sign1Parts {
  bodyProtected: Uint8Array;
  /** checked against the format by checkSignAlg, after the claims (§6 order) */
  alg: number;
  kid: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
}

const { array, bstr, map, onlyLabels, protectedMap } = coseShape(malformed);

function algValue(v: CborValue | undefined, what: string): number {
  if (typeof v !== 'number') throw malformed(`${what} alg must be an integer`);
  return v;
}

function unsupported(alg: number, what: string): Rejection {
  return new Rejection('UNSUPPORTED_ALGORITHM', `${what} alg ${alg} is not supported by this format`);
}

/** `bodyLabels`: the labels the body's protected header may hold (the coupon: alg only). */
export function parseEncrypt(content: CborValue, bodyLabels: readonly number[] = [HEADER.alg]): EncryptParts {
  const [p, u, ct, recipients] = array(content, 4, 'COSE_Encrypt');
  const body = protectedMap(p!, 'COSE_Encrypt protected header');
  onlyLabels(body.map, bodyLabels, 'COSE_Encrypt protected header');
  const alg = algValue(body.map.get(HEADER.alg), 'content');
  const unprotected = map(u!, 'COSE_Encrypt unprotected header');
  if (unprotected.has(HEADER.alg)) throw malformed('content alg must be in the protected header only');
  onlyLabels(unprotected, [HEADER.iv], 'COSE_Encrypt unprotected header');
  const iv = bstr(unprotected.get(HEADER.iv), 'iv');
  if (iv.length !== IV_BYTES) throw malformed(`iv must be ${IV_BYTES} bytes, is ${iv.length}`);
  const ciphertext = bstr(ct!, 'ciphertext');
  if (ciphertext.length < GCM_TAG_BYTES) throw malformed(`ciphertext of ${ciphertext.length} bytes is shorter than its tag`);
  const list = array(recipients!, 1, 'recipients');
  const recipient = parseRecipient(list[0]!);
  if (alg !== ALG.A128GCM && alg !== ALG.A256GCM) throw unsupported(alg, 'content');
  return { bodyProtected: body.bytes, bodyHeader: body.map, contentAlg: alg, iv, ciphertext, recipient };
}

function parseRecipient(v: CborValue): RecipientParts {
  const [p, u, c] = array(v, 3, 'recipient');
  const prot = protectedMap(p!, 'recipient protected header');
  onlyLabels(prot.map, [HEADER.alg], 'recipient protected header');
  const unprotected = map(u!, 'recipient unprotected header');
  onlyLabels(unprotected, [HEADER.alg, HEADER.kid, HEADER.ephemeralKey], 'recipient unprotected header');
  if (prot.map.has(HEADER.alg) && unprotected.has(HEADER.alg)) {
    throw malformed('recipient alg is in both the protected and the unprotected header');
  }
  const algRaw = prot.map.get(HEADER.alg) ?? unprotected.get(HEADER.alg);
  if (algRaw === undefined) throw malformed('recipient alg is missing');
  const alg = algValue(algRaw, 'recipient');
  const kid = bstr(unprotected.get(HEADER.kid), 'recipient kid');
  const wrappedKey = bstr(c!, 'recipient ciphertext');
  if (alg === ALG.ECDH_ES_HKDF_256) {
    if (wrappedKey.length !== 0) throw malformed('ECDH-ES direct recipient ciphertext must be empty');
    const ephemeralX = ephemeralKey(unprotected.get(HEADER.ephemeralKey));
    return { rProtected: prot.bytes, alg, kid, ephemeralX, wrappedKey };
  }
  if (alg === ALG.RSAES_OAEP_SHA256) {
    if (unprotected.has(HEADER.ephemeralKey)) throw malformed('RSA-OAEP recipient must not carry an ephemeral key');
    return { rProtected: prot.bytes, alg, kid, wrappedKey };
  }
  throw unsupported(alg, 'recipient');
}

/** Exactly {1: 1 (OKP), -1: 4 (X25519), -2: x (32 bytes)}. */
function ephemeralKey(v: CborValue | undefined): Uint8Array {
  if (v === undefined) throw malformed('ephemeral key (-1) is missing');
  const key = map(v, 'ephemeral key');
  onlyLabels(key, [COSE_KEY.kty, COSE_KEY.crv, COSE_KEY.x], 'ephemeral key');
  if (key.get(COSE_KEY.kty) !== COSE_KEY.OKP) throw malformed('ephemeral key kty must be 1 (OKP)');
  if (key.get(COSE_KEY.crv) !== COSE_KEY.X25519) throw malformed('ephemeral key crv must be 4 (X25519)');
  const x = bstr(key.get(COSE_KEY.x), 'ephemeral key x');
  if (x.length !== X25519_BYTES) throw malformed(`ephemeral key x must be ${X25519_BYTES} bytes, is ${x.length}`);
  if (!isCanonicalX25519(x)) throw malformed('ephemeral key x is not a canonical X25519 u-coordinate');
  return x;
}

/**
 * RFC 7748 §5 makes X25519 ignore bit 255 and reduce u mod p, so without this
 * check several byte strings (in the unauthenticated r_unprotected) would
 * decrypt alike: one coupon, several texts. Canonical: bit 255 clear, u < 2^255 - 19.
 */
function isCanonicalX25519(x: Uint8Array): boolean {
  if (x[31]! > 0x7f) return false;
  if (x[31] !== 0x7f || x[0]! < 0xed) return true;
  for (let i = 1; i < 31; i++) if (x[i] !== 0xff) return true;
  return false;
}

/** The decrypted content: a tagged COSE_Sign1 with {1: alg, 4: kid} protected and {} unprotected. */
export function parseSign1(content: CborValue): Sign1Parts {
  const [p, u, payload, signature] = array(content, 4, 'COSE_Sign1');
  const body = protectedMap(p!, 'COSE_Sign1 protected header');
  onlyLabels(body.map, [HEADER.alg, HEADER.kid], 'COSE_Sign1 protected header');
  const unprotected = map(u!, 'COSE_Sign1 unprotected header');
  if (unprotected.has(HEADER.alg) || unprotected.has(HEADER.kid)) {
    throw malformed('COSE_Sign1 alg and kid must be in the protected header only');
  }
  if (unprotected.size !== 0) throw malformed('COSE_Sign1 unprotected header must be empty');
  const alg = algValue(body.map.get(HEADER.alg), 'signature');
  const kid = bstr(body.map.get(HEADER.kid), 'signer kid');
  return { bodyProtected: body.bytes, alg, kid, payload: bstr(payload!, 'payload'), signature: bstr(signature!, 'signature') };
}

export function checkSignAlg(alg: number): asserts alg is SignAlg {
  if (alg !== ALG.EdDSA && alg !== ALG.PS256) throw unsupported(alg, 'signature');
}
