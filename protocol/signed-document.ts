/**
 * Signed documents (docs/protocol.md): a COSE_Sign (RFC 9052 §4.1, tag 98)
 * with one signature per signer, the content type in the body's protected
 * header (label 3) and nothing else in any header:
 *
 *   98([ << {3: content type} >>, {}, payload,
 *        [ [ << {1: alg, 4: kid} >>, {}, signature ], ... ] ])
 *
 * Each signature is over Sig_structure ["Signature", body_protected,
 * sign_protected, h'', payload] (§4.4). Decoding is strict (the coupon's
 * codec and shape checks); a coupon's COSE_Sign1 (tag 18, context
 * "Signature1") can never pass for a document, nor a document for a coupon.
 */
import type { KeyObject } from 'node:crypto';
import { CborError, Tagged, decode, encode, type CborValue } from '../coupon/cbor.js';
import { coseShape } from '../coupon/cose-shape.js';
import { HEADER, TAG_ENCRYPT, TAG_SIGN1, signBytes, verifyBytes } from '../coupon/cose.js';
import { KeyError, signAlgOf, toHex } from '../coupon/keys.js';
import { ALG, type SignAlg } from '../coupon/types.js';

export const TAG_SIGN = 98;
/** Header label of the content type (RFC 9052 §3.1). */
export const CONTENT_TYPE = 3;
/** More signers than a platform has overlapping keys is garbage, not a document. */
export const MAX_SIGNERS = 16;

export const DOCUMENT_CODES = ['MALFORMED', 'WRONG_CONTENT_TYPE', 'NO_KNOWN_SIGNER', 'BAD_SIGNATURE'] as const;
export type DocumentCode = (typeof DOCUMENT_CODES)[number];

export interface DocumentSigner {
  /** hex kid */
  kid: string;
  alg: SignAlg;
  privateKey: KeyObject;
}

/** A trusted signing key (a coupon PlatformKey fits). The lookup decides what is trusted, validity windows included. */
export type DocumentKeyLookup = (kid: string) => { alg: SignAlg; publicKey: KeyObject } | undefined;

export type DocumentVerdict =
  /** ignored: the other signatures (unknown signer, or not verifying), with the reason, for the log */
  | { ok: true; payload: Uint8Array; signedBy: string[]; ignored: { kid: string; reason: string }[] }
  | { ok: false; code: DocumentCode; message: string };

class Malformed extends Error {}
const { array, bstr, map, onlyLabels, protectedMap } = coseShape((message) => new Malformed(message));
const EMPTY = new Uint8Array(0);
const KID_BYTES = 8;

/** RFC 9052 §4.4 for COSE_Sign, with empty external AAD. */
export function signStructure(bodyProtected: Uint8Array, signProtected: Uint8Array, payload: Uint8Array): Uint8Array {
  return encode(['Signature', bodyProtected, signProtected, EMPTY, payload]);
}

/** The tagged COSE_Sign bytes of `payload`, signed by every signer. */
export function signDocument(payload: Uint8Array, contentType: string, signers: readonly DocumentSigner[]): Uint8Array {
  if (signers.length === 0 || signers.length > MAX_SIGNERS) throw new TypeError(`a document needs 1 to ${MAX_SIGNERS} signers, not ${signers.length}`);
  if (new Set(signers.map((s) => s.kid)).size !== signers.length) throw new TypeError('a document is signed once per key');
  if (contentType.length === 0) throw new TypeError('a document needs a content type');
  const bodyProtected = encode(new Map([[CONTENT_TYPE, contentType]]));
  const signatures = signers.map((signer) => {
    if (signAlgOf(signer.privateKey) !== signer.alg) throw new KeyError('ALG_MISMATCH', `signer ${signer.kid}: alg ${signer.alg} does not fit its key`);
    if (!/^[0-9a-f]{16}$/.test(signer.kid)) throw new TypeError(`kid '${signer.kid}' is not 16 lowercase hex digits`);
    const signProtected = encode(new Map<number, CborValue>([[HEADER.alg, signer.alg], [HEADER.kid, Buffer.from(signer.kid, 'hex')]]));
    return [signProtected, new Map(), signBytes(signer.alg, signer.privateKey, signStructure(bodyProtected, signProtected, payload))];
  });
  return encode(new Tagged(TAG_SIGN, [bodyProtected, new Map(), payload, signatures]));
}

interface SignatureParts {
  signProtected: Uint8Array;
  alg: number;
  kid: string;
  signature: Uint8Array;
}

interface DocumentParts {
  bodyProtected: Uint8Array;
  contentType: string;
  payload: Uint8Array;
  signatures: SignatureParts[];
}

/**
 * Verifies a signed document: ok when its content type is the expected one
 * and at least one signature by a known key verifies. Never throws.
 */
export function verifyDocument(bytes: Uint8Array, expectedContentType: string, lookupKey: DocumentKeyLookup): DocumentVerdict {
  let parts: DocumentParts;
  try {
    parts = parseDocument(bytes);
  } catch (err) {
    if (err instanceof Malformed || err instanceof CborError) return { ok: false, code: 'MALFORMED', message: err.message };
    throw err;
  }
  if (parts.contentType !== expectedContentType) {
    return { ok: false, code: 'WRONG_CONTENT_TYPE', message: `content type is '${parts.contentType.slice(0, 80)}', expected '${expectedContentType}'` };
  }
  const signedBy: string[] = [];
  const ignored: { kid: string; reason: string }[] = [];
  let knownButBad = 0;
  for (const sig of parts.signatures) {
    const problem = checkSignature(parts, sig, lookupKey);
    if (problem === undefined) signedBy.push(sig.kid);
    else {
      if (problem.known) knownButBad++;
      ignored.push({ kid: sig.kid, reason: problem.reason });
    }
  }
  if (signedBy.length > 0) return { ok: true, payload: parts.payload, signedBy, ignored };
  const reasons = ignored.map((i) => `${i.kid}: ${i.reason}`).join('; ');
  if (knownButBad > 0) return { ok: false, code: 'BAD_SIGNATURE', message: `no signature verifies (${reasons})` };
  return { ok: false, code: 'NO_KNOWN_SIGNER', message: `signed only by unknown keys (${reasons})` };
}

/**
 * The content type, payload and signer kids of a document WITHOUT verifying
 * any signature: only to learn which key to verify it with (a trust bundle
 * whose signer is pinned by kid carries that key in its own payload). Never
 * act on the payload before verifyDocument said ok. Never throws.
 */
export function peekDocument(bytes: Uint8Array): { ok: true; contentType: string; payload: Uint8Array; signers: string[] } | { ok: false; code: 'MALFORMED'; message: string } {
  try {
    const parts = parseDocument(bytes);
    return { ok: true, contentType: parts.contentType, payload: parts.payload, signers: parts.signatures.map((s) => s.kid) };
  } catch (err) {
    if (err instanceof Malformed || err instanceof CborError) return { ok: false, code: 'MALFORMED', message: err.message };
    throw err;
  }
}

function checkSignature(parts: DocumentParts, sig: SignatureParts, lookupKey: DocumentKeyLookup): { known: boolean; reason: string } | undefined {
  const key = lookupKey(sig.kid);
  if (key === undefined) return { known: false, reason: 'not a known signing key' };
  if (sig.alg !== key.alg) return { known: true, reason: `signed with alg ${sig.alg}, but the key is an alg ${key.alg} key` };
  let good = false;
  try {
    good = verifyBytes(key.alg, key.publicKey, signStructure(parts.bodyProtected, sig.signProtected, parts.payload), sig.signature);
  } catch {
    good = false; // e.g. a signature of the wrong length for the key
  }
  return good ? undefined : { known: true, reason: 'the signature does not verify' };
}

function parseDocument(bytes: Uint8Array): DocumentParts {
  const outer = decode(bytes);
  if (!(outer instanceof Tagged) || outer.tag !== TAG_SIGN) throw new Malformed(`not a signed document (tag ${TAG_SIGN} COSE_Sign): ${describe(outer)}`);
  const [p, u, payload, signatures] = array(outer.value, 4, 'COSE_Sign');
  const body = protectedMap(p!, 'COSE_Sign protected header');
  onlyLabels(body.map, [CONTENT_TYPE], 'COSE_Sign protected header');
  const contentType = body.map.get(CONTENT_TYPE);
  if (typeof contentType !== 'string') throw new Malformed('the content type (label 3) must be a text string in the protected header');
  if (map(u!, 'COSE_Sign unprotected header').size !== 0) throw new Malformed('COSE_Sign unprotected header must be empty');
  if (!Array.isArray(signatures) || signatures.length === 0 || signatures.length > MAX_SIGNERS) {
    throw new Malformed(`signatures must be an array of 1 to ${MAX_SIGNERS}`);
  }
  const parsed = signatures.map((s, i) => parseSignature(s, `signature ${i}`));
  if (new Set(parsed.map((s) => s.kid)).size !== parsed.length) throw new Malformed('one key signed twice');
  return { bodyProtected: body.bytes, contentType, payload: bstr(payload, 'payload (detached payloads are not used)'), signatures: parsed };
}

function parseSignature(v: CborValue, what: string): SignatureParts {
  const [p, u, signature] = array(v, 3, what);
  const prot = protectedMap(p!, `${what} protected header`);
  onlyLabels(prot.map, [HEADER.alg, HEADER.kid], `${what} protected header`);
  if (map(u!, `${what} unprotected header`).size !== 0) throw new Malformed(`${what}: alg and kid belong in the protected header, the unprotected one must be empty`);
  const alg = prot.map.get(HEADER.alg);
  if (alg !== ALG.EdDSA && alg !== ALG.PS256) throw new Malformed(`${what}: alg ${String(alg)} is not EdDSA (-8) or PS256 (-37)`);
  const kid = bstr(prot.map.get(HEADER.kid), `${what} kid`);
  if (kid.length !== KID_BYTES) throw new Malformed(`${what}: kid must be ${KID_BYTES} bytes, is ${kid.length}`);
  return { signProtected: prot.bytes, alg, kid: toHex(kid), signature: bstr(signature, `${what} signature`) };
}

/** What a non-document is, for the message: coupons and their signatures are named as such. */
function describe(value: CborValue): string {
  if (!(value instanceof Tagged)) return 'untagged CBOR';
  if (value.tag === TAG_SIGN1) return 'a COSE_Sign1 (tag 18, a coupon signature)';
  if (value.tag === TAG_ENCRYPT) return 'a COSE_Encrypt (tag 96, a coupon or sealed key)';
  return `tag ${value.tag}`;
}

