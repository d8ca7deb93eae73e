/**
 * `kiosk verify`: a dry verification with no ledger, for technicians and for
 * interoperability checks. One JSON object per input, in input order; exit 0
 * once every input was processed, whatever the verdicts; exit 2 on bad usage.
 * Loads no hardware module: only the pure coupon library and key files.
 */
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import type { Writable } from 'node:stream';
import { claimsToJson, verifyCoupon, type Keyring } from '../../../coupon/index.js';
import type { VerifyResult } from '../../../coupon/types.js';
import { keyringFromFiles } from '../keyring-from-files.js';
import { readLines } from '../line-reader.js';

export const summary = 'verify coupon text (argument or one per line on stdin) against key files; JSON out';

const USAGE = `usage: kiosk verify --merchant-key FILE.pem [--merchant-key ...]
                   --platform-key PLATFORM_ID=FILE.pem [--platform-key ...]
                   --merchant-id PLATFORM_ID=MERCHANT_ID [--merchant-id ...]
                   [--now UNIX_SECONDS] (TEXT... | -)

  --merchant-key   merchant private key (X25519 or RSA, PKCS#8); repeat during a key rotation
  --platform-key   a platform's signing public key (Ed25519 → EdDSA, RSA → PS256), bound to its id
  --merchant-id    this merchant's id at that platform (the coupons' aud)
  --now            the time to check against (default: the system clock)
  -                read one coupon per line from stdin

Prints one JSON object per input: {"valid", "reason", "message", "serial", "claims"};
claims only when decrypted and signature-verified. Exit 0 when all inputs were processed.`;

/** Far above the format's 4096-character cap, so only true garbage is cut short. */
export const MAX_LINE_BYTES = 64 * 1024;

const OPTIONS = {
  'merchant-key': { type: 'string', multiple: true },
  'platform-key': { type: 'string', multiple: true },
  'merchant-id': { type: 'string', multiple: true },
  now: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}

interface Plan {
  keyring: Keyring;
  now: number;
  texts: string[] | 'stdin';
}

function plan(argv: string[]): Plan | undefined {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return undefined;
  if (values.now !== undefined && !/^\d{1,12}$/.test(values.now)) throw new UsageError(`--now must be Unix seconds, not '${values.now}'`);
  if (positionals.length === 0) throw new UsageError('give the coupon TEXT, or - to read one coupon per line from stdin');
  if (positionals.includes('-') && positionals.length > 1) throw new UsageError('- (stdin) cannot be combined with TEXT arguments');
  let keyring: Keyring;
  try {
    keyring = keyringFromFiles({
      merchantKeyFiles: values['merchant-key'] ?? [],
      platformKeys: values['platform-key'] ?? [],
      merchantIds: values['merchant-id'] ?? [],
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return {
    keyring,
    now: values.now !== undefined ? Number(values.now) : Math.floor(Date.now() / 1000),
    texts: positionals[0] === '-' ? 'stdin' : positionals,
  };
}

export function resultJson(r: VerifyResult): Record<string, unknown> {
  const out: Record<string, unknown> = { valid: r.ok, reason: r.reason, message: r.message };
  if (r.serial !== undefined) out['serial'] = r.serial;
  if (r.claims !== undefined) out['claims'] = claimsToJson(r.claims);
  return out;
}

const OVERLONG = JSON.stringify({ valid: false, reason: 'NOT_A_COUPON', message: `line longer than ${MAX_LINE_BYTES} bytes` });

/**
 * Writes lines, waiting when the reader is slower so that output never piles
 * up in memory. A closed output (the reader went away: `| head`) stops the
 * run instead of crashing it.
 */
class LineOut {
  private failure: Error | undefined;

  constructor(private readonly out: Writable) {
    out.on('error', (err: Error) => {
      this.failure ??= err;
    });
  }

  get error(): Error | undefined {
    return this.failure;
  }

  async write(line: string): Promise<boolean> {
    if (this.failure) return false;
    if (!this.out.write(line + '\n')) await Promise.race([once(this.out, 'drain'), once(this.out, 'close')]).catch(() => undefined);
    return this.failure === undefined;
  }
}

/** Verifies every input in order; returns how many were written. */
async function verifyAll(p: Plan, out: LineOut): Promise<number> {
  const verify = (text: string): string => JSON.stringify(resultJson(verifyCoupon(text, p.keyring, p.now)));
  let n = 0;
  const inputs = p.texts === 'stdin' ? readLines(process.stdin, MAX_LINE_BYTES) : p.texts.map((text) => ({ text, overlong: false }));
  for await (const line of inputs) {
    // a CRLF file ends its lines as a scanner does: the CR is the terminator's, not the text's
    const text = line.text.endsWith('\r') ? line.text.slice(0, -1) : line.text;
    if (!(await out.write(line.overlong ? OVERLONG : verify(text)))) break;
    n++;
  }
  return n;
}

export async function run(argv: string[]): Promise<number> {
  let p: Plan | undefined;
  try {
    p = plan(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`kiosk verify: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (!p) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const out = new LineOut(process.stdout);
  const written = await verifyAll(p, out);
  if (out.error) {
    const code = (out.error as NodeJS.ErrnoException).code ?? out.error.message;
    process.stderr.write(`kiosk verify: output closed (${code}) after ${written} results; stopped\n`);
    return 1;
  }
  return 0;
}
