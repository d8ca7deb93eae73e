/**
 * Serial display (COUPON-FORMAT.md §1): Crockford Base32 of cti, 5-bit groups
 * from the most significant bit (RFC 4648 §6 bit order), the last group padded
 * with zero bits, no '=', in groups of four characters joined by '-'.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function crockfordBase32(bytes: Uint8Array): string {
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = ((acc << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(acc << (5 - bits)) & 31];
  return out;
}

/** The serial as people see it, e.g. `7Q2K-9XHD-...`. */
export function formatSerial(cti: Uint8Array): string {
  const chars = crockfordBase32(cti);
  const groups: string[] = [];
  for (let i = 0; i < chars.length; i += 4) groups.push(chars.slice(i, i + 4));
  return groups.join('-');
}

/** Serial lengths in bytes (COUPON-FORMAT.md §1: cti is 8..32 bytes). */
export const MIN_SERIAL_BYTES = 8;
export const MAX_SERIAL_BYTES = 32;

export type SerialErrorCode = 'EMPTY' | 'BAD_CHARACTER' | 'BAD_LENGTH' | 'NONZERO_PADDING';

export class SerialError extends Error {
  override readonly name = 'SerialError';
  constructor(
    readonly code: SerialErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Each symbol's value, with Crockford's decoding aliases (O → 0, I and L → 1), either case. */
const VALUES: ReadonlyMap<string, number> = new Map([
  ...[...ALPHABET].flatMap((c, i) => [[c, i], [c.toLowerCase(), i]] as [string, number][]),
  ['O', 0], ['o', 0], ['I', 1], ['i', 1], ['L', 1], ['l', 1],
]);

/** The bytes of Crockford Base32 text (no separators), whatever its length; SerialError otherwise. */
export function crockfordDecode(symbols: string): Uint8Array {
  const values = [...symbols].map((c) => {
    const value = VALUES.get(c);
    if (value === undefined) throw new SerialError('BAD_CHARACTER', `'${c}' is not a Crockford Base32 symbol (0-9, A-Z without U)`);
    return value;
  });
  if ((values.length * 5) % 8 >= 5) throw new SerialError('BAD_LENGTH', `${values.length} symbols cannot encode whole bytes`);
  const out = new Uint8Array(Math.floor((values.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let n = 0;
  for (const value of values) {
    acc = ((acc << 5) | value) & 0x1fff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw new SerialError('NONZERO_PADDING', `the last symbol's ${bits} padding bit(s) must be zero: mistyped last symbol?`);
  return out;
}

/**
 * The serial as people type it → cti bytes: the inverse of formatSerial,
 * case-insensitive, dashes and spaces anywhere or nowhere, O read as 0 and
 * I/L as 1. SerialError (EMPTY, BAD_CHARACTER, BAD_LENGTH, NONZERO_PADDING)
 * naming the problem otherwise.
 */
export function parseSerial(text: string): Uint8Array {
  const symbols = text.replace(/[\s-]+/g, '');
  if (symbols.length === 0) throw new SerialError('EMPTY', 'no serial given');
  const bytes = crockfordDecode(symbols);
  if (bytes.length < MIN_SERIAL_BYTES || bytes.length > MAX_SERIAL_BYTES) {
    throw new SerialError('BAD_LENGTH', `a serial is ${MIN_SERIAL_BYTES} to ${MAX_SERIAL_BYTES} bytes; '${text.trim().slice(0, 80)}' is ${bytes.length}`);
  }
  return bytes;
}
