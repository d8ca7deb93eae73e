/**
 * Shape checks for decoded COSE structures, shared by every COSE parser (the
 * coupon's layers here, signed documents and sealed keys in protocol/). Each
 * parser passes the error its callers expect, so a bad shape is reported in
 * that parser's own codes.
 */
import { CborError, decode, type CborMap, type CborValue } from './cbor.js';

export interface CoseShape {
  /** an array of exactly n elements */
  array(v: CborValue, n: number, what: string): CborValue[];
  bstr(v: CborValue | undefined, what: string): Uint8Array;
  map(v: CborValue, what: string): CborMap;
  /** Only the listed labels may appear: anything else could change the meaning unseen. */
  onlyLabels(m: CborMap, allowed: readonly (number | string)[], what: string): void;
  /** A protected header: a bstr holding a map; h'' is the empty map (RFC 9052 §3). */
  protectedMap(v: CborValue, what: string): { bytes: Uint8Array; map: CborMap };
}

export function coseShape(fail: (message: string) => Error): CoseShape {
  const shape: CoseShape = {
    array(v, n, what) {
      if (!Array.isArray(v)) throw fail(`${what} must be an array`);
      if (v.length !== n) throw fail(`${what} must have ${n} elements, has ${v.length}`);
      return v;
    },
    bstr(v, what) {
      if (!(v instanceof Uint8Array)) throw fail(`${what} must be a byte string`);
      return v;
    },
    map(v, what) {
      if (!(v instanceof Map)) throw fail(`${what} must be a map`);
      return v;
    },
    onlyLabels(m, allowed, what) {
      for (const label of m.keys()) {
        if (!allowed.includes(label)) throw fail(`${what} has unexpected label ${JSON.stringify(label)}`);
      }
    },
    protectedMap(v, what) {
      const bytes = shape.bstr(v, what);
      if (bytes.length === 0) return { bytes, map: new Map() };
      try {
        return { bytes, map: shape.map(decode(bytes), what) };
      } catch (err) {
        if (err instanceof CborError) throw fail(`${what}: ${err.message}`);
        throw err;
      }
    },
  };
  return shape;
}
