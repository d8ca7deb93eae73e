/**
 * A small, strict CBOR codec (RFC 8949) covering what COSE needs: integers,
 * byte and text strings, arrays, maps, tags and the simple values
 * false/true/null. The encoder writes the core deterministic encoding
 * (§4.2.1: shortest heads, map keys sorted by their encoded bytes). The
 * decoder accepts only definite-length, well-formed, valid items in the
 * preferred serialization (every argument in its shortest head, §4.2.1, as
 * COUPON-FORMAT.md requires: one coupon, one text), and never allocates from a
 * length it has not checked against the remaining input.
 */

export class Tagged {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

export type CborKey = number | string;
export type CborMap = Map<CborKey, CborValue>;
export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | Uint8Array
  | CborValue[]
  | CborMap
  | Tagged;

export type CborErrorCode =
  | 'TRUNCATED'
  | 'TRAILING_BYTES'
  | 'INDEFINITE_LENGTH'
  | 'RESERVED_INFO'
  | 'DUPLICATE_KEY'
  | 'UNSUPPORTED_KEY'
  | 'TOO_DEEP'
  | 'INVALID_UTF8'
  | 'UNSUPPORTED_SIMPLE'
  | 'INT_RANGE'
  | 'NOT_SHORTEST'
  | 'UNENCODABLE';

export class CborError extends Error {
  override readonly name = 'CborError';
  constructor(
    readonly code: CborErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Nesting limit: COSE_Encrypt ⊃ recipients ⊃ recipient ⊃ header ⊃ COSE_Key is 5 deep. */
export const MAX_DEPTH = 16;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();
const TWO_64 = 1n << 64n;

// ---------------------------------------------------------------- decoding

/** Decodes exactly one item; anything after it is an error. */
export function decode(bytes: Uint8Array): CborValue {
  const reader = new Reader(bytes);
  const value = reader.item(0);
  if (reader.pos !== bytes.length) {
    throw new CborError('TRAILING_BYTES', `${bytes.length - reader.pos} byte(s) after the CBOR item`);
  }
  return value;
}

/**
 * The tag number of the first item if it starts with a tag head, else
 * undefined. Lets a caller classify input without decoding all of it.
 */
export function peekTag(bytes: Uint8Array): number | undefined {
  if (bytes.length === 0 || bytes[0]! >> 5 !== 6) return undefined;
  try {
    // lenient on the head's length: classifying is by value; decode() then refuses a long head as MALFORMED
    const head = new Reader(bytes).head(false);
    return typeof head.arg === 'number' ? head.arg : undefined;
  } catch {
    return undefined;
  }
}

/** Smallest argument that needs a 1-, 2-, 4- or 8-byte head (info 24..27); anything less has a shorter one. */
const SHORTEST_FLOOR = [24, 0x100, 0x10000, 0x100000000] as const;

interface Head {
  major: number;
  info: number;
  arg: number | bigint;
}

class Reader {
  pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  private need(n: number): void {
    if (n > this.bytes.length - this.pos) {
      throw new CborError('TRUNCATED', `needs ${n} byte(s) at offset ${this.pos}, ${this.bytes.length - this.pos} left`);
    }
  }

  /** One head; `shortest` refuses an argument written in more bytes than it needs (RFC 8949 §4.2.1). */
  head(shortest = true): Head {
    this.need(1);
    const initial = this.bytes[this.pos++]!;
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (info < 24) return { major, info, arg: info };
    if (info === 31) throw new CborError('INDEFINITE_LENGTH', `indefinite length (major type ${major}) at offset ${this.pos - 1}`);
    if (info > 27) throw new CborError('RESERVED_INFO', `reserved additional information ${info} at offset ${this.pos - 1}`);
    const at = this.pos - 1;
    const arg = this.argument(1 << (info - 24));
    // simple values and floats (major 7) have no shorter form to compare with
    if (shortest && major !== 7 && arg < SHORTEST_FLOOR[info - 24]!) {
      throw new CborError('NOT_SHORTEST', `argument ${arg} at offset ${at} is not in its shortest head (preferred serialization)`);
    }
    return { major, info, arg };
  }

  private argument(size: number): number | bigint {
    this.need(size);
    const b = this.bytes;
    const p = this.pos;
    this.pos += size;
    if (size === 1) return b[p]!;
    if (size === 2) return (b[p]! << 8) | b[p + 1]!;
    const hi = ((b[p]! << 24) >>> 0) + (b[p + 1]! << 16) + (b[p + 2]! << 8) + b[p + 3]!;
    if (size === 4) return hi;
    const lo = ((b[p + 4]! << 24) >>> 0) + (b[p + 5]! << 16) + (b[p + 6]! << 8) + b[p + 7]!;
    const big = (BigInt(hi) << 32n) | BigInt(lo);
    return big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
  }

  /** A length or count that must fit what is left (each element takes at least one byte). */
  private length(head: Head): number {
    const n = head.arg;
    if (typeof n !== 'number' || n > this.bytes.length - this.pos) {
      throw new CborError('TRUNCATED', `length ${n} at offset ${this.pos} exceeds the ${this.bytes.length - this.pos} byte(s) left`);
    }
    return n;
  }

  item(depth: number): CborValue {
    if (depth > MAX_DEPTH) throw new CborError('TOO_DEEP', `nesting deeper than ${MAX_DEPTH} at offset ${this.pos}`);
    const head = this.head();
    switch (head.major) {
      case 0:
        return head.arg;
      case 1:
        return typeof head.arg === 'number' ? -1 - head.arg : -1n - head.arg;
      case 2:
        return this.take(this.length(head));
      case 3:
        return this.text(this.length(head));
      case 4:
        return this.array(this.length(head), depth);
      case 5:
        return this.map(this.length(head), depth);
      case 6:
        if (typeof head.arg !== 'number') throw new CborError('INT_RANGE', `tag ${head.arg} out of range`);
        return new Tagged(head.arg, this.item(depth + 1));
      default:
        return simple(head);
    }
  }

  private take(n: number): Uint8Array {
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private text(n: number): string {
    const start = this.pos;
    try {
      return utf8.decode(this.take(n));
    } catch {
      throw new CborError('INVALID_UTF8', `invalid UTF-8 in text string at offset ${start}`);
    }
  }

  private array(n: number, depth: number): CborValue[] {
    const out: CborValue[] = [];
    for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
    return out;
  }

  private map(n: number, depth: number): CborMap {
    const out: CborMap = new Map();
    for (let i = 0; i < n; i++) {
      const at = this.pos;
      const key = this.item(depth + 1);
      if (typeof key !== 'number' && typeof key !== 'string') {
        throw new CborError('UNSUPPORTED_KEY', `map key at offset ${at} is not an integer or text`);
      }
      if (out.has(key)) throw new CborError('DUPLICATE_KEY', `duplicate map key ${JSON.stringify(key)} at offset ${at}`);
      out.set(key, this.item(depth + 1));
    }
    return out;
  }
}

function simple(head: Head): CborValue {
  if (head.info === 20) return false;
  if (head.info === 21) return true;
  if (head.info === 22) return null;
  const what = head.info >= 25 && head.info <= 27 ? 'floating-point value' : `simple value ${String(head.arg)}`;
  throw new CborError('UNSUPPORTED_SIMPLE', `${what} is not used by this format`);
}

// ---------------------------------------------------------------- encoding

/** Encodes one item in the core deterministic encoding. */
export function encode(value: CborValue): Uint8Array {
  const w = new Writer();
  w.item(value, 0);
  return w.result();
}

class Writer {
  private buf = new Uint8Array(256);
  private pos = 0;

  result(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  head(major: number, arg: number | bigint): void {
    const m = major << 5;
    this.room(9);
    const b = this.buf;
    if (typeof arg === 'bigint' && arg <= 0xffffffffn) arg = Number(arg);
    if (typeof arg === 'bigint') {
      b[this.pos++] = m | 27;
      for (let shift = 56n; shift >= 0n; shift -= 8n) b[this.pos++] = Number((arg >> shift) & 0xffn);
    } else if (arg < 24) {
      b[this.pos++] = m | arg;
    } else if (arg < 0x100) {
      b[this.pos++] = m | 24;
      b[this.pos++] = arg;
    } else if (arg < 0x10000) {
      b[this.pos++] = m | 25;
      b[this.pos++] = arg >> 8;
      b[this.pos++] = arg & 0xff;
    } else if (arg < 0x100000000) {
      b[this.pos++] = m | 26;
      b[this.pos++] = arg >>> 24;
      b[this.pos++] = (arg >> 16) & 0xff;
      b[this.pos++] = (arg >> 8) & 0xff;
      b[this.pos++] = arg & 0xff;
    } else {
      this.head(major, BigInt(arg));
    }
  }

  item(value: CborValue, depth: number): void {
    if (depth > MAX_DEPTH) throw new CborError('TOO_DEEP', `cannot encode nesting deeper than ${MAX_DEPTH}`);
    if (typeof value === 'number' || typeof value === 'bigint') return this.integer(value);
    if (typeof value === 'string') {
      const b = utf8Encoder.encode(value);
      this.head(3, b.length);
      return this.bytes(b);
    }
    if (value instanceof Uint8Array) {
      this.head(2, value.length);
      return this.bytes(value);
    }
    if (Array.isArray(value)) {
      this.head(4, value.length);
      for (const v of value) this.item(v, depth + 1);
      return;
    }
    if (value instanceof Map) return this.map(value, depth);
    if (value instanceof Tagged) {
      this.head(6, value.tag);
      return this.item(value.value, depth + 1);
    }
    this.room(1);
    this.buf[this.pos++] = value === false ? 0xf4 : value === true ? 0xf5 : 0xf6;
  }

  private integer(value: number | bigint): void {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      throw new CborError('UNENCODABLE', `${value} is not a safe integer (floats are not used by this format)`);
    }
    if (typeof value === 'bigint' && (value < -TWO_64 || value >= TWO_64)) throw new CborError('INT_RANGE', `${value} does not fit 64 bits`);
    if (value >= 0) return this.head(0, value);
    return this.head(1, typeof value === 'bigint' ? -1n - value : -1 - value);
  }

  private map(value: CborMap, depth: number): void {
    const entries = [...value.keys()].map((k) => ({ k, enc: encode(k) }));
    entries.sort((a, b) => compareBytes(a.enc, b.enc));
    this.head(5, entries.length);
    for (const { k, enc } of entries) {
      this.bytes(enc);
      this.item(value.get(k)!, depth + 1);
    }
  }
}

/** Bytewise lexicographic order (RFC 8949 §4.2.1). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
