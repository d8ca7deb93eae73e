/**
 * Our RFC 9421 profile (docs/protocol.md): a kiosk signs each request with
 * its terminal key under the label `kiosk`; the platform signs each answer
 * with every valid signing key, one `p-<kid>` label each, covering the
 * request's own signature so an answer cannot be replayed against another
 * request. Pure: time is an input, nonce uniqueness is the caller's store.
 *
 * Adapters turn their messages into HttpRequestParts/HttpResponseParts
 * (splitTarget helps with `/v1/x?y`), and set the returned headers, replacing
 * any of the same name.
 */
import { randomBytes, type KeyObject } from 'node:crypto';
import { serializeDictionary, serializeItem, type InnerList, type Item } from 'structured-headers';
import { KeyError, signAlgOf } from '../coupon/keys.js';
import { ALG, type SignAlg } from '../coupon/types.js';
import { checkContentDigest, contentDigest } from './content-digest.js';
import {
  ComponentError,
  component,
  headerValue,
  httpAlgOf,
  labelled,
  params,
  parseSignatureFields,
  signBase,
  signatureBase,
  verifyBase,
  type HeaderMap,
  type HttpMessage,
  type HttpRequestParts,
  type HttpResponseParts,
  type HttpSigAlg,
  type LabelledSignature,
} from './http-message.js';
import { REQUEST_TAG, RESPONSE_TAG, checkRequestProfile, checkResponseProfile } from './http-profile.js';

export { splitTarget, type HeaderMap, type HttpRequestParts, type HttpResponseParts, type HttpSigAlg } from './http-message.js';
export { REQUEST_TAG, RESPONSE_TAG } from './http-profile.js';

export const REQUEST_LABEL = 'kiosk';
export const DEFAULT_MAX_SKEW_S = 300;
export const NONCE_BYTES = 16;

/** Why a terminal request is refused (the platform answers 401 with the code). */
export const REQUEST_SIGNATURE_CODES = ['SIGNATURE_MISSING', 'UNKNOWN_TERMINAL', 'SIGNATURE_INVALID', 'DIGEST_MISMATCH', 'STALE_REQUEST'] as const;
export type RequestSignatureCode = (typeof REQUEST_SIGNATURE_CODES)[number];

/** Why a kiosk ignores a platform answer. */
export const RESPONSE_SIGNATURE_CODES = ['SIGNATURE_MISSING', 'UNTRUSTED_SIGNER', 'SIGNATURE_INVALID', 'DIGEST_MISMATCH'] as const;
export type ResponseSignatureCode = (typeof RESPONSE_SIGNATURE_CODES)[number];

export interface TerminalSigningKey {
  /** hex kid of the terminal key (its keyid) */
  kid: string;
  /** Ed25519 private key */
  privateKey: KeyObject;
}

export interface PlatformSigningKey {
  kid: string;
  /** the key's COSE alg (EdDSA or PS256); its HTTP signature is ed25519 or rsa-pss-sha512 */
  alg: SignAlg;
  privateKey: KeyObject;
}

export type PublicKeyLookup = (kid: string) => { publicKey: KeyObject } | undefined;

/** Type aliases rather than interfaces, so that they pass as a HeaderMap. */
export type SignedRequestHeaders = {
  'content-digest'?: string;
  'signature-input': string;
  signature: string;
};

export type SignedResponseHeaders = {
  'content-digest': string;
  'signature-input': string;
  signature: string;
};

export type RequestVerdict =
  | { ok: true; kid: string; created: number; nonce: string; signatureValue: Uint8Array }
  /** signatureValue (and kid) once the `kiosk` signature parsed: the platform still binds its signed error answer to it */
  | { ok: false; code: RequestSignatureCode; message: string; kid?: string; signatureValue?: Uint8Array };

export type ResponseVerdict =
  /** ignored: the other p-<kid> signatures (untrusted key, or not verifying), for the log */
  | { ok: true; signedBy: string[]; ignored: { kid: string; reason: string }[] }
  | { ok: false; code: ResponseSignatureCode; message: string };

const EMPTY = new Uint8Array(0);
const KID = /^[0-9a-f]{16}$/;
const NONCE = /^[A-Za-z0-9_-]{22}$/;
const REQUEST_COMPONENTS: readonly Item[] = [component('@method'), component('@path'), component('@query')];
const BODY_COMPONENTS: readonly Item[] = [component('content-digest'), component('content-type')];
const RESPONSE_COMPONENTS = (): Item[] => [
  component('@status'),
  component('content-digest'),
  component('content-type'),
  component('signature', ['req', true], ['key', REQUEST_LABEL]),
];

/** The headers that sign `req` with the terminal key (Content-Digest only when it has a body). */
export function signRequest(req: HttpRequestParts, key: TerminalSigningKey, opts: { created: number; nonce?: string }): SignedRequestHeaders {
  if (key.privateKey.type !== 'private' || httpAlgOf(key.privateKey) !== 'ed25519') throw new TypeError('a terminal request is signed with an Ed25519 private key');
  checkKid(key.kid);
  checkCreated(opts.created);
  const nonce = opts.nonce ?? randomBytes(NONCE_BYTES).toString('base64url');
  if (!NONCE.test(nonce)) throw new TypeError(`nonce '${nonce}' is not ${NONCE_BYTES} bytes in unpadded base64url`);
  const digest = req.body === undefined ? undefined : contentDigest(req.body);
  if (digest !== undefined && headerValue(req.headers, 'content-type') === undefined) throw new TypeError('a request with a body needs a Content-Type');
  const input: InnerList = [
    digest === undefined ? [...REQUEST_COMPONENTS] : [...REQUEST_COMPONENTS, ...BODY_COMPONENTS],
    params([['created', opts.created], ['nonce', nonce], ['keyid', key.kid], ['alg', 'ed25519'], ['tag', REQUEST_TAG]]),
  ];
  const message = { ...req, headers: withHeader(req.headers, 'content-digest', digest) };
  const value = signBase('ed25519', key.privateKey, signatureBase(input, message));
  const fields = dictionaries([[REQUEST_LABEL, input, value]]);
  return digest === undefined ? fields : { 'content-digest': digest, ...fields };
}

/** Verifies a terminal request's `kiosk` signature, its digest and its freshness. Never throws. */
export function verifyRequest(req: HttpRequestParts, lookupKey: PublicKeyLookup, opts: { nowS: number; maxSkewS?: number }): RequestVerdict {
  const found = findSignature(req.headers, REQUEST_LABEL);
  if (!found.ok) return found;
  const sig = found.sig;
  const profile = checkRequestProfile(sig.input, (req.body ?? EMPTY).length > 0);
  const bound = { signatureValue: sig.value, ...(profile.kid === undefined ? {} : { kid: profile.kid }) };
  if (!profile.ok) return { ...bound, ok: false, code: profile.code, message: profile.message };
  const key = lookupKey(profile.kid);
  if (key === undefined) return { ...bound, ok: false, code: 'UNKNOWN_TERMINAL', message: `keyid ${profile.kid} is not an enrolled terminal` };
  const checked = checkSignature(sig, req, undefined, key.publicKey, 'ed25519');
  if (checked !== undefined) return { ...bound, ok: false, ...checked };
  if (profile.coversBody) {
    const digest = checkContentDigest(headerValue(req.headers, 'content-digest')!, req.body ?? EMPTY);
    if (!digest.ok) return { ...bound, ok: false, code: 'DIGEST_MISMATCH', message: digest.message };
  }
  const skew = opts.nowS - profile.created;
  const maxSkew = opts.maxSkewS ?? DEFAULT_MAX_SKEW_S;
  if (!(Math.abs(skew) <= maxSkew)) {
    const message = `created ${profile.created} is ${Math.abs(skew)} s ${skew > 0 ? 'behind' : 'ahead of'} the platform's clock (${opts.nowS}); at most ${maxSkew} s allowed`;
    return { ...bound, ok: false, code: 'STALE_REQUEST', message };
  }
  return { ok: true, kid: profile.kid, created: profile.created, nonce: profile.nonce, signatureValue: sig.value };
}

/** The headers that sign an answer with each platform key, bound to the request signature it answers. */
export function signResponse(res: HttpResponseParts, requestSignature: Uint8Array, signers: readonly PlatformSigningKey[], opts: { created: number }): SignedResponseHeaders {
  if (signers.length === 0) throw new TypeError('a platform answer needs at least one signing key');
  checkCreated(opts.created);
  if (headerValue(res.headers, 'content-type') === undefined) throw new TypeError('a signed platform answer needs a Content-Type');
  const digest = contentDigest(res.body ?? EMPTY);
  const message = { ...res, headers: withHeader(res.headers, 'content-digest', digest) };
  const request = boundRequest(requestSignature);
  const entries: [string, InnerList, Uint8Array][] = signers.map((signer) => {
    checkKid(signer.kid);
    const alg = httpAlgForPlatformKey(signer);
    const input: InnerList = [RESPONSE_COMPONENTS(), params([['created', opts.created], ['keyid', signer.kid], ['alg', alg], ['tag', RESPONSE_TAG]])];
    return [`p-${signer.kid}`, input, signBase(alg, signer.privateKey, signatureBase(input, message, request))];
  });
  return { 'content-digest': digest, ...dictionaries(entries) };
}

/**
 * Verifies a platform answer: ok when at least one `p-<kid>` signature by a
 * trusted key verifies over this answer and the request it answers.
 * Signatures by keys the kiosk does not trust are listed in `ignored`.
 */
export function verifyResponse(res: HttpResponseParts, requestSignature: Uint8Array, lookupTrustedKey: PublicKeyLookup): ResponseVerdict {
  const fields = parseSignatureFields(res.headers);
  if (!fields.ok) return { ok: false, code: fields.absent ? 'SIGNATURE_MISSING' : 'SIGNATURE_INVALID', message: fields.message };
  const labels = [...fields.inputs.keys()].filter((label) => label.startsWith('p-'));
  if (labels.length === 0) return { ok: false, code: 'SIGNATURE_MISSING', message: 'no platform signature (label p-<kid>)' };
  const digestField = headerValue(res.headers, 'content-digest');
  if (digestField === undefined) return { ok: false, code: 'SIGNATURE_MISSING', message: 'the answer has no Content-Digest' };
  const digest = checkContentDigest(digestField, res.body ?? EMPTY);
  if (!digest.ok) return { ok: false, code: 'DIGEST_MISMATCH', message: digest.message };
  const request = boundRequest(requestSignature);
  const signedBy: string[] = [];
  const ignored: { kid: string; reason: string }[] = [];
  let trustedButBad = 0;
  for (const label of labels) {
    const outcome = verifyPlatformSignature(fields, label, res, request, lookupTrustedKey);
    if (outcome.ok) {
      signedBy.push(outcome.kid);
      continue;
    }
    if (outcome.trusted) trustedButBad++;
    ignored.push({ kid: outcome.kid, reason: outcome.reason });
  }
  if (signedBy.length > 0) return { ok: true, signedBy, ignored };
  const reasons = ignored.map((i) => `${i.kid}: ${i.reason}`).join('; ');
  if (trustedButBad > 0) return { ok: false, code: 'SIGNATURE_INVALID', message: `no platform signature verifies (${reasons})` };
  return { ok: false, code: 'UNTRUSTED_SIGNER', message: `signed only by keys this kiosk does not trust (${reasons})` };
}

/** The keyid of a request's `kiosk` signature, unverified: lets a server fetch the terminal before verifyRequest. */
export function requestKeyId(headers: HeaderMap): string | undefined {
  const found = findSignature(headers, REQUEST_LABEL);
  if (!found.ok) return undefined;
  const keyid = found.sig.input[1].get('keyid');
  return typeof keyid === 'string' ? keyid : undefined;
}

/**
 * The `created` time (Unix s) of the answer's `p-<kid>` signature: the
 * platform's clock when it signed. Read it only for a kid verifyResponse
 * listed in `signedBy` (the parameter is covered by that signature).
 */
export function responseCreated(headers: HeaderMap, kid: string): number | undefined {
  const fields = parseSignatureFields(headers);
  if (!fields.ok) return undefined;
  const found = labelled(fields, `p-${kid}`);
  if (!found.ok) return undefined;
  const created = found.sig.input[1].get('created');
  return typeof created === 'number' && Number.isSafeInteger(created) ? created : undefined;
}

/** The bytes of the `kiosk` signature in the headers signRequest returned: what verifyResponse binds the answer to. */
export function requestSignatureOf(headers: HeaderMap): Uint8Array | undefined {
  const found = findSignature(headers, REQUEST_LABEL);
  return found.ok ? found.sig.value : undefined;
}

// ---------------------------------------------------------------- helpers

function findSignature(headers: HeaderMap, label: string): { ok: true; sig: LabelledSignature } | { ok: false; code: RequestSignatureCode; message: string } {
  const fields = parseSignatureFields(headers);
  if (!fields.ok) return { ok: false, code: fields.absent ? 'SIGNATURE_MISSING' : 'SIGNATURE_INVALID', message: fields.message };
  const found = labelled(fields, label);
  if (!found.ok) return { ok: false, code: found.absent ? 'SIGNATURE_MISSING' : 'SIGNATURE_INVALID', message: found.message };
  return found;
}

/** Recomputes the base and checks the signature; a covered component the message lacks is SIGNATURE_MISSING. */
function checkSignature(sig: LabelledSignature, message: HttpMessage, request: HttpRequestParts | undefined, publicKey: KeyObject, alg: HttpSigAlg) {
  let base: string;
  try {
    base = signatureBase(sig.input, message, request);
  } catch (err) {
    if (err instanceof ComponentError) return { code: 'SIGNATURE_MISSING' as const, message: `signature ${sig.label}: ${err.message}` };
    throw err;
  }
  if (!verifyBase(alg, publicKey, base, sig.value)) return { code: 'SIGNATURE_INVALID' as const, message: `signature ${sig.label} does not verify with key ${sig.input[1].get('keyid') as string}` };
  return undefined;
}

type PlatformOutcome = { ok: true; kid: string } | { ok: false; trusted: boolean; kid: string; reason: string };

function verifyPlatformSignature(
  fields: { inputs: Map<string, Item | InnerList>; signatures: Map<string, Item | InnerList> },
  label: string,
  res: HttpResponseParts,
  request: HttpRequestParts,
  lookup: PublicKeyLookup,
): PlatformOutcome {
  const kid = label.slice(2);
  const found = labelled(fields, label);
  if (!found.ok) return { ok: false, trusted: false, kid, reason: found.message };
  const key = lookup(kid);
  if (key === undefined) return { ok: false, trusted: false, kid, reason: 'not a trusted platform key' };
  const alg = httpAlgOf(key.publicKey);
  if (alg === undefined) return { ok: false, trusted: true, kid, reason: 'the trusted key cannot verify HTTP signatures' };
  const profile = checkResponseProfile(found.sig.input, RESPONSE_COMPONENTS().map((c) => serializeItem(c)), kid, alg);
  if (!profile.ok) return { ok: false, trusted: true, kid, reason: profile.message };
  const checked = checkSignature(found.sig, res, request, key.publicKey, alg);
  if (checked !== undefined) return { ok: false, trusted: true, kid, reason: checked.message };
  return { ok: true, kid };
}

/** The part of the answered request that the answer covers: its `kiosk` signature. */
function boundRequest(requestSignature: Uint8Array): HttpRequestParts {
  const signature = serializeDictionary(new Map([[REQUEST_LABEL, [requestSignature, new Map()]]]));
  return { method: '', path: '', query: '', headers: { signature }, body: undefined };
}

function httpAlgForPlatformKey(signer: PlatformSigningKey): HttpSigAlg {
  const alg = signAlgOf(signer.privateKey);
  if (alg !== signer.alg) throw new KeyError('ALG_MISMATCH', `platform key ${signer.kid}: alg ${signer.alg} does not fit its key (${alg})`);
  return alg === ALG.EdDSA ? 'ed25519' : 'rsa-pss-sha512';
}

function dictionaries(entries: [string, InnerList, Uint8Array][]): { 'signature-input': string; signature: string } {
  return {
    'signature-input': serializeDictionary(new Map(entries.map(([label, input]) => [label, input]))),
    signature: serializeDictionary(new Map(entries.map(([label, , value]) => [label, [value, new Map()]]))),
  };
}

/** The headers with `name` (any case) replaced by `value`, or removed when value is undefined. */
function withHeader(headers: HeaderMap, name: string, value: string | undefined): HeaderMap {
  const out: Record<string, string | readonly string[] | undefined> = {};
  for (const [key, v] of Object.entries(headers)) if (key.toLowerCase() !== name) out[key] = v;
  if (value !== undefined) out[name] = value;
  return out;
}

function checkKid(kid: string): void {
  if (!KID.test(kid)) throw new TypeError(`kid '${kid}' is not 16 lowercase hex digits`);
}

function checkCreated(created: number): void {
  if (!Number.isSafeInteger(created) || created < 0) throw new TypeError(`created must be a Unix time in whole seconds, not ${created}`);
}
