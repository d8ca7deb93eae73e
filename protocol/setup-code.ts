/**
 * The enrollment setup code: the content of the QR a technician scans (or
 * the text they paste), as pretix's setup QR carries `handshake_version`,
 * `url` and `token`. Ours adds the platform key's kid, so the scan pins the
 * platform with no typing, and optionally the TLS server key's pin:
 *
 *   {"handshake_version":1,"url":"https://…","token":"…","platform_kid":"<16 hex>",
 *    "tls_pin":"sha256/<base64>"}
 *
 * Exactly these fields: a new field is a new handshake_version, which older
 * kiosks refuse by name instead of enrolling without understanding it.
 */
import { Type, type Static } from 'typebox';
import { payloadReader } from './json-payload.js';

export { spkiPin } from './spki-pin.js';

export const HANDSHAKE_VERSION = 1;
/** A QR code of version 40, level M, holds 2331 bytes; we stay well under. */
export const MAX_SETUP_CODE_CHARS = 2048;

export const SetupCodeSchema = Type.Object(
  {
    handshake_version: Type.Literal(HANDSHAKE_VERSION),
    /** the platform service's base URL: https, or http on a loopback host (tests) */
    url: Type.String({ minLength: 8, maxLength: 1024 }),
    /** the one-time enrollment token; URL-safe characters */
    token: Type.String({ pattern: '^[A-Za-z0-9._~-]{16,256}$' }),
    platform_kid: Type.String({ pattern: '^[0-9a-f]{16}$' }),
    /** RFC 7469 pin: SHA-256 over the server certificate's SubjectPublicKeyInfo DER, standard Base64 */
    tls_pin: Type.Optional(Type.String({ pattern: '^sha256/[A-Za-z0-9+/]{43}=$' })),
  },
  { additionalProperties: false },
);

export type SetupCode = Static<typeof SetupCodeSchema>;

export const SETUP_CODE_CODES = ['INVALID_SETUP_CODE', 'UNSUPPORTED_VERSION'] as const;
export type SetupCodeCode = (typeof SETUP_CODE_CODES)[number];
export type SetupCodeResult = { ok: true; setup: SetupCode } | { ok: false; code: SetupCodeCode; message: string };

const reader = payloadReader(SetupCodeSchema, 'setup code');
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** The text to put in the QR; TypeError when the code would not parse back. */
export function formatSetupCode(setup: SetupCode): string {
  const text = JSON.stringify(setup);
  const parsed = parseSetupCode(text);
  if (!parsed.ok) throw new TypeError(parsed.message);
  return text;
}

/** Reads a scanned or pasted setup code. Never throws. */
export function parseSetupCode(text: string): SetupCodeResult {
  const trimmed = text.trim();
  if (trimmed.length > MAX_SETUP_CODE_CHARS) return invalid(`setup code is ${trimmed.length} characters, more than ${MAX_SETUP_CODE_CHARS}`);
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch {
    return invalid('setup code is not JSON: scan the enrollment QR again, or paste its text whole');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return invalid('setup code is not a JSON object');
  const version = (value as Record<string, unknown>)['handshake_version'];
  if (version !== HANDSHAKE_VERSION) {
    if (version === undefined) return invalid("setup code: missing field 'handshake_version'");
    return { ok: false, code: 'UNSUPPORTED_VERSION', message: `setup code handshake_version ${JSON.stringify(version)}: this kiosk knows version ${HANDSHAKE_VERSION}; update the kiosk software` };
  }
  const checked = reader.check(value);
  if (!checked.ok) return invalid(checked.message);
  const urlProblem = checkUrl(checked.value.url);
  if (urlProblem !== undefined) return invalid(`setup code: url: ${urlProblem}`);
  return { ok: true, setup: checked.value };
}

function invalid(message: string): SetupCodeResult {
  return { ok: false, code: 'INVALID_SETUP_CODE', message };
}

function checkUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `'${text.slice(0, 80)}' is not a URL`;
  }
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  if (url.search !== '' || url.hash !== '') return 'must be a base URL, without ?query or #fragment';
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:' && LOOPBACK.test(url.hostname)) return undefined;
  return `'${url.protocol}//${url.host}' must be https (http only on a loopback address)`;
}
