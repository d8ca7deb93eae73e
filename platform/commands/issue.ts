/**
 * `coupon-platform issue`: one coupon. The text goes to stdout as one line;
 * the QR goes to --png / --svg files and, with --terminal, to stderr.
 */
import { formatSerial } from '../../coupon/index.js';
import { ADMIN_OPTIONS, adminClient } from '../admin-client.js';
import { parseCommand, type Args } from '../args.js';
import { CliError } from '../cli-error.js';
import { parseTime } from '../time-arg.js';
import { ISSUE_OPTIONS, ISSUE_USAGE, createIssuer } from '../issuer.js';
import { qrLevel, qrTerminal, writeQrPng, writeQrSvg } from '../qr.js';

export const summary = 'issue one coupon from flags or JSON: text on stdout, QR as PNG/SVG/terminal';

const USAGE = `usage: coupon-platform issue --platform-key FILE.pem --platform-id P --merchant-key FILE.pem --aud MERCHANT_ID
         --sub CONSUMER --product ID --quantity N [options]
   or: coupon-platform issue --url URL (--token-file FILE | --data DIR) --aud MERCHANT_ID
         --sub CONSUMER --product ID --quantity N [--title T] [--exp/--nbf/--iat T] [QR options]

  Offline, with key files:
${ISSUE_USAGE}
  Through the service (signed with its current key, encrypted to the merchant's current key, registered):
  --url URL, --token-file FILE or --data DIR
  --png FILE / --svg FILE   write the QR code (byte mode)
  --level L|M|Q|H           QR error correction (default M)
  --terminal                draw the QR code on stderr`;

export async function run(argv: string[]): Promise<number> {
  const { json: _json, ...adminOptions } = ADMIN_OPTIONS; // --json here is the offline claims file
  const options = { ...ISSUE_OPTIONS, ...adminOptions, png: { type: 'string' }, svg: { type: 'string' }, level: { type: 'string' }, terminal: { type: 'boolean' } } as const;
  const args = parseCommand(argv, options, USAGE);
  if (!args) return 0;
  const level = qrLevel(args.str('level'));
  const { text, serial } = args.has('url') ? await issueByService(args) : issueOffline(args);
  const png = args.str('png');
  const svg = args.str('svg');
  if (png !== undefined) await writeQrPng(png, text, level);
  if (svg !== undefined) await writeQrSvg(svg, text, level);
  if (args.flag('terminal')) process.stderr.write(await qrTerminal(text, level));
  process.stderr.write(`serial ${serial}, ${text.length} chars\n`);
  process.stdout.write(text + '\n');
  return 0;
}

function issueOffline(args: Args): { text: string; serial: string } {
  const issuer = createIssuer(args, Math.floor(Date.now() / 1000));
  const { text, claims } = issuer.issue(issuer.template);
  return { text, serial: formatSerial(claims.cti) };
}

const OFFLINE_ONLY = ['platform-key', 'platform-id', 'merchant-key', 'serial', 'content-alg', 'json'];

async function issueByService(args: Args): Promise<{ text: string; serial: string }> {
  const misplaced = OFFLINE_ONLY.find((f) => args.has(f));
  if (misplaced) throw new CliError('USAGE', `--${misplaced} is for offline issuing; with --url the service holds the keys and picks the serial`);
  const now = Math.floor(Date.now() / 1000);
  const time = (flag: string) => (args.has(flag) ? { [flag]: new Date(parseTime(args.required(flag), now, `--${flag}`) * 1000).toISOString() } : {});
  const body = {
    aud: args.required('aud'), sub: args.required('sub'), product: args.required('product'), quantity: args.int('quantity', 1, 10000) ?? args.required('quantity'),
    ...(args.has('title') ? { title: args.str('title') } : {}), ...time('iat'), ...time('nbf'), ...time('exp'),
  };
  return adminClient(args).call<{ text: string; serial: string }>('POST', '/coupons', body);
}
