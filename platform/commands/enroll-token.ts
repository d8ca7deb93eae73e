/**
 * `coupon-platform enroll-token`: a one-time enrollment token for one branch.
 * The token alone on stdout; `--png FILE` writes the setup QR, whose content
 * is the versioned setup code (protocol/setup-code.ts): handshake_version,
 * url, token, platform_kid and, with --tls-cert, the TLS key's pin.
 */
import { readFileSync } from 'node:fs';
import { formatSetupCode, spkiPin, HANDSHAKE_VERSION, type SetupCode } from '../../protocol/setup-code.js';
import { ADMIN_OPTIONS, ADMIN_USAGE, adminClient } from '../admin-client.js';
import { parseCommand } from '../args.js';
import { CliError } from '../cli-error.js';
import { DEFAULT_QR_LEVEL, writeQrPng } from '../qr.js';

export const summary = 'a one-time enrollment token for a branch (text, and the setup QR as PNG)';

const USAGE = `usage: coupon-platform enroll-token --url URL (--token-file FILE | --data DIR) --merchant M --branch B
         [--ttl SECONDS] [--png FILE] [--tls-cert FILE] [--json]

${ADMIN_USAGE}
  --ttl SECONDS             validity (default 900: 15 minutes)
  --png FILE                the setup QR: {"handshake_version","url","token","platform_kid"[,"tls_pin"]}
  --tls-cert FILE           the service's TLS certificate (PEM): its key's pin goes into the setup code`;

interface TokenView {
  token: string;
  expiresAt: string;
  platformKid: string;
}

export async function run(argv: string[]): Promise<number> {
  const options = { ...ADMIN_OPTIONS, merchant: { type: 'string' }, branch: { type: 'string' }, ttl: { type: 'string' }, png: { type: 'string' }, 'tls-cert': { type: 'string' } } as const;
  const args = parseCommand(argv, options, USAGE);
  if (!args) return 0;
  const ttl = args.int('ttl', 1, 7 * 24 * 3600);
  const certFile = args.str('tls-cert');
  let tlsPin: string | undefined;
  if (certFile !== undefined) {
    try {
      tlsPin = spkiPin(readFileSync(certFile, 'utf8'));
    } catch (err) {
      throw new CliError('KEY_FILE', `--tls-cert ${certFile}: ${(err as Error).message}`, { cause: err });
    }
  }
  const client = adminClient(args);
  const t = await client.call<TokenView>('POST', '/enrollment-tokens', { merchantId: args.required('merchant'), branchId: args.required('branch'), ...(ttl ? { ttlSeconds: ttl } : {}) });
  const setup: SetupCode = { handshake_version: HANDSHAKE_VERSION, url: client.url, token: t.token, platform_kid: t.platformKid, ...(tlsPin ? { tls_pin: tlsPin } : {}) };
  const code = formatSetupCode(setup);
  const png = args.str('png');
  if (png !== undefined) await writeQrPng(png, code, DEFAULT_QR_LEVEL);
  process.stderr.write(`expires ${t.expiresAt}; platform key ${t.platformKid}\n`);
  process.stdout.write((args.flag('json') ? JSON.stringify({ ...t, setupCode: code }) : t.token) + '\n');
  return 0;
}
