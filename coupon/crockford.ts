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
