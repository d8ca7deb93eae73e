/**
 * The generic core of HTTP Message Signatures (RFC 9421) that our profile
 * (http-signature.ts) is built on: transport-agnostic message shapes, the
 * component values (§2), the signature base (§2.5), the Signature and
 * Signature-Input dictionaries (§4) and the two algorithms we use (§3.3.1
 * rsa-pss-sha512, §3.3.6 ed25519). Structured fields are parsed and
 * serialized by `structured-headers`; the rest is ours (docs/decisions.md
 * says why not `http-message-signatures`).
 */
import { constants, sign, verify, type KeyObject } from 'node:crypto';
import {
  isInnerList,
  parseDictionary,
  serializeInnerList,
  serializeItem,
  type Dictionary,
  type InnerList,
  type Item,
  type Parameters,
} from 'structured-headers';

export type HeaderValue = string | readonly string[] | undefined;
/** Header fields by name, any case (Node's IncomingMessage, undici, Fastify's reply all fit). */
export type HeaderMap = Readonly<Record<string, HeaderValue>>;

/** A request as both ends see it. `path` is the raw (still percent-encoded) path, `query` the raw query after '?', '' when none. */
export interface HttpRequestParts {
  method: string;
  path: string;
  query: string;
  headers: HeaderMap;
  body: Uint8Array | undefined;
}

export interface HttpResponseParts {
  status: number;
  headers: HeaderMap;
  body: Uint8Array | undefined;
}

export type HttpMessage = HttpRequestParts | HttpResponseParts;

/** The RFC 9421 §6.2 algorithm names we sign and verify with. */
export type HttpSigAlg = 'ed25519' | 'rsa-pss-sha512';

/** A covered component the message does not have, or cannot have (e.g. `@status` of a request). */
export class ComponentError extends Error {
  override readonly name = 'ComponentError';
}

/** Splits a request target (`/v1/x?a=b`) into the `path` and `query` of HttpRequestParts. */
export function splitTarget(target: string): { path: string; query: string } {
  const at = target.indexOf('?');
  return at < 0 ? { path: target, query: '' } : { path: target.slice(0, at), query: target.slice(at + 1) };
}

/**
 * A header field's value as RFC 9421 §2.1 canonicalizes it: every field line
 * of that name (any case), obsolete folding replaced by a space, trimmed,
 * joined by ", ". Undefined when the field is absent.
 */
export function headerValue(headers: HeaderMap, name: string): string | undefined {
  const lower = name.toLowerCase();
  const lines: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== lower || value === undefined) continue;
    for (const line of typeof value === 'string' ? [value] : value) lines.push(line.replace(/\r?\n[ \t]*/g, ' ').trim());
  }
  return lines.length === 0 ? undefined : lines.join(', ');
}

function isRequest(message: HttpMessage): message is HttpRequestParts {
  return 'method' in message;
}

function requestOf(message: HttpMessage, what: string): HttpRequestParts {
  if (!isRequest(message)) throw new ComponentError(`${what} is a request component, but this is a response`);
  return message;
}

function derivedValue(name: string, message: HttpMessage): string {
  switch (name) {
    case '@method':
      return requestOf(message, name).method;
    case '@path':
      return requestOf(message, name).path || '/';
    case '@query':
      return `?${requestOf(message, name).query}`;
    case '@authority': {
      const host = headerValue(requestOf(message, name).headers, 'host');
      if (host === undefined) throw new ComponentError('@authority needs a Host header');
      return host.toLowerCase();
    }
    case '@status':
      if (isRequest(message)) throw new ComponentError('@status is a response component, but this is a request');
      return String(message.status);
    default:
      throw new ComponentError(`derived component ${name} is not supported`);
  }
}

/** The value of one covered component (§2.1, §2.2), with the `req` (§2.4) and `key` (§2.1.2) parameters. */
export function componentValue(component: Item, message: HttpMessage, request?: HttpRequestParts): string {
  const [name, params] = component;
  if (typeof name !== 'string' || name === '' || name !== name.toLowerCase()) {
    throw new ComponentError(`component identifier ${serializeItem(component)} must be a lowercase string`);
  }
  for (const param of params.keys()) {
    if (param !== 'req' && param !== 'key') throw new ComponentError(`component parameter ;${param} is not supported`);
  }
  let context: HttpMessage = message;
  if (params.has('req')) {
    if (params.get('req') !== true || request === undefined) throw new ComponentError(`${serializeItem(component)} needs the request`);
    context = request;
  }
  const value = name.startsWith('@') ? derivedValue(name, context) : fieldValue(name, params, context);
  if (/[\r\n\0]/.test(value)) throw new ComponentError(`${name} holds a line break or NUL`);
  return value;
}

function fieldValue(name: string, params: Parameters, message: HttpMessage): string {
  const value = headerValue(message.headers, name);
  if (value === undefined) throw new ComponentError(`header ${name} is absent`);
  if (!params.has('key')) return value;
  const key = params.get('key');
  if (typeof key !== 'string') throw new ComponentError(`;key of ${name} must be a string`);
  let dict: Dictionary;
  try {
    dict = parseDictionary(value);
  } catch {
    throw new ComponentError(`header ${name} is not a structured dictionary`);
  }
  const member = dict.get(key);
  if (member === undefined) throw new ComponentError(`header ${name} has no member ${key}`);
  return isInnerList(member) ? serializeInnerList(member) : serializeItem(member);
}

/** The signature base (§2.5): one line per covered component, then "@signature-params". */
export function signatureBase(signatureInput: InnerList, message: HttpMessage, request?: HttpRequestParts): string {
  const [components] = signatureInput;
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const component of components) {
    const id = serializeItem(component);
    if (seen.has(id)) throw new ComponentError(`component ${id} is covered twice`);
    seen.add(id);
    lines.push(`${id}: ${componentValue(component, message, request)}`);
  }
  lines.push(`"@signature-params": ${serializeInnerList(signatureInput)}`);
  return lines.join('\n');
}

/** A `;name=value` parameter list in the given order (RFC 9421 signs the order as written). */
export function params(entries: [string, string | number][]): Parameters {
  return new Map(entries);
}

/** Covered component identifiers from their serialized forms, e.g. `"signature";req;key="kiosk"` given as ['signature', ['req', true], ['key', 'kiosk']]. */
export function component(name: string, ...componentParams: [string, string | boolean][]): Item {
  return [name, new Map(componentParams)];
}

// ---------------------------------------------------------------- algorithms

/** ed25519 for an Ed25519 key; rsa-pss-sha512 for an RSA (or RSA-PSS) key of ≥ 2048 bits; undefined otherwise. */
export function httpAlgOf(key: KeyObject): HttpSigAlg | undefined {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return 'ed25519';
  if ((type === 'rsa' || type === 'rsa-pss') && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) return 'rsa-pss-sha512';
  return undefined;
}

/** §3.3.1: RSASSA-PSS with SHA-512, MGF1 SHA-512 and a 64-byte salt. */
function pss(key: KeyObject) {
  return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 };
}

export function signBase(alg: HttpSigAlg, privateKey: KeyObject, base: string): Uint8Array {
  const data = Buffer.from(base, 'utf8');
  return alg === 'ed25519' ? sign(null, data, privateKey) : sign('sha512', data, pss(privateKey));
}

/** Never throws: a signature of the wrong size or a key of the wrong type is simply not valid. */
export function verifyBase(alg: HttpSigAlg, publicKey: KeyObject, base: string, signature: Uint8Array): boolean {
  if (httpAlgOf(publicKey) !== alg) return false;
  const data = Buffer.from(base, 'utf8');
  try {
    return alg === 'ed25519' ? verify(null, data, publicKey, signature) : verify('sha512', data, pss(publicKey), signature);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- Signature and Signature-Input fields

/** One labelled signature of a message: its Signature-Input member and its Signature bytes. */
export interface LabelledSignature {
  label: string;
  input: InnerList;
  value: Uint8Array;
}

export type SignatureFields =
  | { ok: true; inputs: Dictionary; signatures: Dictionary }
  | { ok: false; absent: boolean; message: string };

/** Parses both dictionaries (§4.1, §4.2); `absent` when neither field is there. */
export function parseSignatureFields(headers: HeaderMap): SignatureFields {
  const inputText = headerValue(headers, 'signature-input');
  const signatureText = headerValue(headers, 'signature');
  if (inputText === undefined && signatureText === undefined) return { ok: false, absent: true, message: 'no Signature or Signature-Input header' };
  if (inputText === undefined) return { ok: false, absent: true, message: 'Signature without Signature-Input' };
  if (signatureText === undefined) return { ok: false, absent: true, message: 'Signature-Input without Signature' };
  try {
    return { ok: true, inputs: parseDictionary(inputText), signatures: parseDictionary(signatureText) };
  } catch (err) {
    return { ok: false, absent: false, message: `Signature or Signature-Input is not a structured dictionary: ${(err as Error).message}` };
  }
}

/** The signature under `label`, or a problem: `absent` when the label is in neither field. */
export function labelled(fields: { inputs: Dictionary; signatures: Dictionary }, label: string): { ok: true; sig: LabelledSignature } | { ok: false; absent: boolean; message: string } {
  const input = fields.inputs.get(label);
  const signature = fields.signatures.get(label);
  if (input === undefined && signature === undefined) return { ok: false, absent: true, message: `no signature labelled ${label}` };
  if (input === undefined || signature === undefined) {
    return { ok: false, absent: true, message: `signature ${label} is in only one of Signature and Signature-Input` };
  }
  if (!isInnerList(input)) return { ok: false, absent: false, message: `Signature-Input ${label} is not an inner list` };
  if (isInnerList(signature) || !(signature[0] instanceof ArrayBuffer) || signature[1].size !== 0) {
    return { ok: false, absent: false, message: `Signature ${label} is not a plain byte sequence` };
  }
  return { ok: true, sig: { label, input, value: new Uint8Array(signature[0]) } };
}

export { serializeInnerList, type InnerList, type Item, type Parameters };
