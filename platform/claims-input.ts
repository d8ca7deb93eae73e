/**
 * Claims for `issue` and `batch`, from flags or from a JSON object (`--json`,
 * keys as printed by `kiosk verify`: iss, sub, aud, exp, nbf, iat, cti (hex),
 * product, quantity, title). A flag given along with --json overrides the
 * JSON's value. Rules of COUPON-FORMAT.md §1 are checked by the coupon
 * library when the coupon is built; here only the command-line shapes.
 */
import { readFileSync } from 'node:fs';
import type { Claims } from '../coupon/types.js';
import type { Args } from './args.js';
import { CliError } from './cli-error.js';
import { parseTime } from './time-arg.js';

export const DEFAULT_VALIDITY_SECONDS = 30 * 24 * 3600;

/** Claims without the serial, which `batch` draws per coupon. */
export type ClaimsTemplate = Omit<Claims, 'cti'> & { cti?: Uint8Array };

type Raw = Record<string, unknown>;

/** flag name → JSON key */
const FLAG_KEYS: ReadonlyArray<[string, string]> = [
  ['platform-id', 'iss'],
  ['sub', 'sub'],
  ['aud', 'aud'],
  ['exp', 'exp'],
  ['nbf', 'nbf'],
  ['iat', 'iat'],
  ['serial', 'cti'],
  ['product', 'product'],
  ['quantity', 'quantity'],
  ['title', 'title'],
];

export function readJsonClaims(source: string): Raw {
  let text: string;
  try {
    text = readFileSync(source === '-' ? 0 : source, 'utf8');
  } catch (err) {
    throw new CliError('CLAIMS', `cannot read --json ${source}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CliError('CLAIMS', `--json ${source} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CliError('CLAIMS', `--json ${source} must hold a JSON object`);
  return raw as Raw;
}

function merged(args: Args, json: Raw): Raw {
  const raw: Raw = { ...json };
  for (const [flag, key] of FLAG_KEYS) if (args.has(flag)) raw[key] = args.str(flag);
  return raw;
}

function text(raw: Raw, key: string, flag: string): string {
  const v = raw[key];
  if (v === undefined || v === '') throw new CliError('USAGE', `missing --${flag} (or "${key}" in --json)`);
  if (typeof v !== 'string') throw new CliError('CLAIMS', `${key} must be a string, not ${JSON.stringify(v)}`);
  return v;
}

function integer(raw: Raw, key: string, flag: string): number {
  const v = raw[key];
  if (v === undefined || v === '') throw new CliError('USAGE', `missing --${flag} (or "${key}" in --json)`);
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) throw new CliError('CLAIMS', `${key} must be an integer, not ${JSON.stringify(v)}`);
  return n;
}

function time(raw: Raw, key: string, now: number): number | undefined {
  const v = raw[key];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'string' && typeof v !== 'number') throw new CliError('CLAIMS', `${key} must be a time, not ${JSON.stringify(v)}`);
  return parseTime(v, now, key);
}

export function parseSerial(hex: unknown): Uint8Array {
  if (typeof hex !== 'string' || !/^([0-9a-fA-F]{2})+$/.test(hex)) {
    throw new CliError('CLAIMS', `serial must be an even number of hex digits, not ${JSON.stringify(hex)}`);
  }
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** The claims given by flags and/or JSON; times default to iat = now, exp = now + 30 days. */
export function readClaims(args: Args, json: Raw, nowSeconds: number): ClaimsTemplate {
  const raw = merged(args, json);
  const iat = time(raw, 'iat', nowSeconds) ?? nowSeconds;
  const claims: ClaimsTemplate = {
    iss: text(raw, 'iss', 'platform-id'),
    sub: text(raw, 'sub', 'sub'),
    aud: text(raw, 'aud', 'aud'),
    exp: time(raw, 'exp', nowSeconds) ?? nowSeconds + DEFAULT_VALIDITY_SECONDS,
    iat,
    product: text(raw, 'product', 'product'),
    quantity: integer(raw, 'quantity', 'quantity'),
  };
  const nbf = time(raw, 'nbf', nowSeconds);
  if (nbf !== undefined) claims.nbf = nbf;
  if (raw['title'] !== undefined) claims.title = text(raw, 'title', 'title');
  if (raw['cti'] !== undefined) claims.cti = parseSerial(raw['cti']);
  return claims;
}
