/**
 * The coupon plaintext (COUPON-FORMAT.md §1): a CWT claims set with integer
 * keys. Both directions apply every rule, so an issuer cannot produce a
 * coupon that a terminal would call MALFORMED.
 */
import type { CborMap, CborValue } from './cbor.js';
import type { Claims } from './types.js';
import { formatSerial } from './crockford.js';

export const CLAIM = {
  iss: 1,
  sub: 2,
  aud: 3,
  exp: 4,
  nbf: 5,
  iat: 6,
  cti: 7,
  product: -65537,
  quantity: -65538,
  title: -65539,
} as const;

export const CTI_MIN_BYTES = 8;
export const CTI_MAX_BYTES = 32;
export const QUANTITY_MAX = 10000;
export const TITLE_MAX_BYTES = 48;

export class ClaimsError extends Error {
  override readonly name = 'ClaimsError';
  readonly code = 'BAD_CLAIMS';
}

const utf8 = new TextEncoder();

function fail(name: string, problem: string): never {
  throw new ClaimsError(`claim ${name} (${CLAIM[name as keyof typeof CLAIM]}) ${problem}`);
}

function text(name: keyof typeof CLAIM, v: unknown): string {
  if (typeof v !== 'string') fail(name, 'must be a text string');
  return v;
}

function int(name: keyof typeof CLAIM, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail(name, `must be an integer, got ${describe(v)}`);
  return v;
}

function cti(v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) fail('cti', 'must be a byte string');
  if (v.length < CTI_MIN_BYTES || v.length > CTI_MAX_BYTES) {
    fail('cti', `must be ${CTI_MIN_BYTES} to ${CTI_MAX_BYTES} bytes, got ${v.length}`);
  }
  return v;
}

function quantity(v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > QUANTITY_MAX) {
    fail('quantity', `must be an unsigned integer 1 to ${QUANTITY_MAX}, got ${describe(v)}`);
  }
  return v;
}

function title(v: unknown): string {
  const t = text('title', v);
  const n = utf8.encode(t).length;
  if (n > TITLE_MAX_BYTES) fail('title', `must be at most ${TITLE_MAX_BYTES} UTF-8 bytes, got ${n}`);
  return t;
}

function describe(v: unknown): string {
  if (v instanceof Uint8Array) return `a ${v.length}-byte string`;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (v === undefined) return 'nothing';
  return `a ${v === null ? 'null' : Array.isArray(v) ? 'array' : v instanceof Map ? 'map' : typeof v}`;
}

function required(map: CborMap, name: keyof typeof CLAIM): CborValue {
  const v = map.get(CLAIM[name]);
  if (v === undefined) fail(name, 'is missing');
  return v;
}

/** Reads a decoded claims map; throws ClaimsError naming the first broken rule. */
export function claimsFromMap(value: CborValue): Claims {
  if (!(value instanceof Map)) throw new ClaimsError(`claims must be a CBOR map, got ${describe(value)}`);
  const claims: Claims = {
    iss: text('iss', required(value, 'iss')),
    sub: text('sub', required(value, 'sub')),
    aud: text('aud', required(value, 'aud')),
    exp: int('exp', required(value, 'exp')),
    iat: int('iat', required(value, 'iat')),
    // a copy, so the claims do not keep the whole decrypted buffer alive
    cti: Uint8Array.from(cti(required(value, 'cti'))),
    product: text('product', required(value, 'product')),
    quantity: quantity(required(value, 'quantity')),
  };
  const nbf = value.get(CLAIM.nbf);
  if (nbf !== undefined) claims.nbf = int('nbf', nbf);
  const t = value.get(CLAIM.title);
  if (t !== undefined) claims.title = title(t);
  return claims;
}

/** Builds the claims map after checking every rule; throws ClaimsError. */
export function claimsToMap(c: Claims): CborMap {
  const map: CborMap = new Map<number, CborValue>([
    [CLAIM.iss, text('iss', c.iss)],
    [CLAIM.sub, text('sub', c.sub)],
    [CLAIM.aud, text('aud', c.aud)],
    [CLAIM.exp, int('exp', c.exp)],
    [CLAIM.iat, int('iat', c.iat)],
    [CLAIM.cti, cti(c.cti)],
    [CLAIM.product, text('product', c.product)],
    [CLAIM.quantity, quantity(c.quantity)],
  ]);
  if (c.nbf !== undefined) map.set(CLAIM.nbf, int('nbf', c.nbf));
  if (c.title !== undefined) map.set(CLAIM.title, title(c.title));
  return map;
}

/** Claims as plain JSON: cti as lowercase hex, plus the display serial. */
export type ClaimsJson = Omit<Claims, 'cti'> & { cti: string; serial: string };

/** Plain JSON for CLI output: cti as lowercase hex, plus the display serial. */
export function claimsToJson(c: Claims): ClaimsJson {
  const out: ClaimsJson = {
    iss: c.iss,
    sub: c.sub,
    aud: c.aud,
    exp: c.exp,
    iat: c.iat,
    cti: Buffer.from(c.cti).toString('hex'),
    serial: formatSerial(c.cti),
    product: c.product,
    quantity: c.quantity,
  };
  if (c.nbf !== undefined) out.nbf = c.nbf;
  if (c.title !== undefined) out.title = c.title;
  return out;
}
