/**
 * Base64 for coupon text (COUPON-FORMAT.md §5). Decoding is strict on the
 * characters (standard or URL-safe alphabet, not mixed; no inner white space)
 * and lenient only where the format says so: surrounding white space and
 * missing padding.
 */

/**
 * Longest text a terminal decodes (§5), counted as given, before trimming:
 * white space around a coupon is forgiven, but it counts towards the cap, so
 * no padding can carry an over-long scan past it.
 */
export const MAX_TEXT_CHARS = 4096;

export type Base64ErrorCode = 'EMPTY' | 'TOO_LONG' | 'BAD_CHARACTER' | 'BAD_LENGTH' | 'BAD_PADDING';

export class Base64Error extends Error {
  override readonly name = 'Base64Error';
  constructor(
    readonly code: Base64ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const STANDARD = /^[A-Za-z0-9+/]*(={0,2})$/;
const URL_SAFE = /^[A-Za-z0-9\-_]*(={0,2})$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Decodes coupon text; throws Base64Error naming the first problem. */
export function decodeBase64(text: string): Uint8Array {
  if (text.length > MAX_TEXT_CHARS) {
    throw new Base64Error('TOO_LONG', `text is ${text.length} characters, more than ${MAX_TEXT_CHARS}`);
  }
  const s = text.trim();
  if (s.length === 0) throw new Base64Error('EMPTY', 'empty text');
  const match = STANDARD.exec(s) ?? URL_SAFE.exec(s);
  if (match === null) throw new Base64Error('BAD_CHARACTER', badCharacter(s));
  const padding = match[1]!.length;
  const body = s.length - padding;
  if (body % 4 === 1) throw new Base64Error('BAD_LENGTH', `${body} Base64 characters cannot encode whole bytes`);
  if (padding > 0 && padding !== (4 - (body % 4)) % 4) {
    throw new Base64Error('BAD_PADDING', `${padding} '=' after ${body} characters`);
  }
  checkTrailingBits(s, body);
  // Node's decoder reads both alphabets; the checks above made it strict.
  return Buffer.from(padding > 0 ? s.slice(0, body) : s, 'base64');
}

/** Unused low bits of the last character must be zero (RFC 4648 §3.5), so each text has one meaning. */
function checkTrailingBits(s: string, body: number): void {
  const rest = body % 4;
  if (rest === 0) return;
  const c = s[body - 1]!;
  const value = c === '+' || c === '-' ? 62 : c === '/' || c === '_' ? 63 : ALPHABET.indexOf(c);
  const mask = rest === 2 ? 0x0f : 0x03;
  if ((value & mask) !== 0) {
    throw new Base64Error('BAD_PADDING', `non-zero padding bits in the last character '${c}'`);
  }
}

function badCharacter(s: string): string {
  const bad = /[^A-Za-z0-9+/\-_=]/.exec(s);
  if (bad === null) return 'mixes the standard and URL-safe alphabets, or "=" before the end';
  const code = bad[0].codePointAt(0)!;
  return `character U+${code.toString(16).toUpperCase().padStart(4, '0')} at position ${bad.index} is not Base64`;
}

/** Standard alphabet with padding, as issuers write it. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
