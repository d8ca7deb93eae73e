/**
 * `coupon-platform batch`: N coupons with the same claims and fresh serials,
 * one per line, for tests and demos (feed them to `kiosk verify -`).
 */
import { createWriteStream, openSync } from 'node:fs';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parseCommand } from '../args.js';
import { CliError } from '../cli-error.js';
import { ISSUE_OPTIONS, ISSUE_USAGE, createIssuer } from '../issuer.js';

export const summary = 'issue N coupons (fresh serials), one per line, to a file or stdout';

const USAGE = `usage: coupon-platform batch --count N --out FILE|- --platform-key FILE.pem --platform-id P
         --merchant-key FILE.pem --aud MERCHANT_ID --sub CONSUMER --product ID --quantity N [options]

${ISSUE_USAGE.replace(/ *--serial .*\n/, '')}`;

const MAX_COUNT = 10_000_000;

export async function run(argv: string[]): Promise<number> {
  const { serial: _serial, ...options } = ISSUE_OPTIONS;
  const args = parseCommand(argv, { ...options, count: { type: 'string' }, out: { type: 'string' } }, USAGE);
  if (!args) return 0;
  const count = args.int('count', 1, MAX_COUNT) ?? fail('missing --count');
  const out = args.required('out');
  const issuer = createIssuer(args, Math.floor(Date.now() / 1000));
  const sink: Writable = out === '-' ? process.stdout : createWriteStream('', { fd: openOut(out) });
  for (let i = 0; i < count; i++) {
    // a full buffer means the reader is slower: wait rather than hold every coupon in memory
    if (!sink.write(issuer.issue(issuer.template).text + '\n')) await once(sink, 'drain');
  }
  if (sink !== process.stdout) await new Promise<void>((resolve, reject) => sink.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return 0;
}

/** Opened up front so that a bad path is a clear usage error, not a stream crash later. */
function openOut(file: string): number {
  try {
    return openSync(file, 'w', 0o644);
  } catch (err) {
    throw new CliError('OUTPUT', `cannot write --out ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { cause: err });
  }
}

function fail(message: string): never {
  throw new CliError('USAGE', message);
}
