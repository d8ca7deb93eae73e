/**
 * `coupon-platform issue`: one coupon. The text goes to stdout as one line;
 * the QR goes to --png / --svg files and, with --terminal, to stderr.
 */
import { formatSerial } from '../../coupon/index.js';
import { parseCommand } from '../args.js';
import { ISSUE_OPTIONS, ISSUE_USAGE, createIssuer } from '../issuer.js';
import { qrLevel, qrTerminal, writeQrPng, writeQrSvg } from '../qr.js';

export const summary = 'issue one coupon from flags or JSON: text on stdout, QR as PNG/SVG/terminal';

const USAGE = `usage: coupon-platform issue --platform-key FILE.pem --platform-id P --merchant-key FILE.pem --aud MERCHANT_ID
         --sub CONSUMER --product ID --quantity N [options]

${ISSUE_USAGE}
  --png FILE / --svg FILE   write the QR code (byte mode)
  --level L|M|Q|H           QR error correction (default M)
  --terminal                draw the QR code on stderr`;

export async function run(argv: string[]): Promise<number> {
  const options = { ...ISSUE_OPTIONS, png: { type: 'string' }, svg: { type: 'string' }, level: { type: 'string' }, terminal: { type: 'boolean' } } as const;
  const args = parseCommand(argv, options, USAGE);
  if (!args) return 0;
  const level = qrLevel(args.str('level'));
  const issuer = createIssuer(args, Math.floor(Date.now() / 1000));
  const { text, claims } = issuer.issue(issuer.template);
  const png = args.str('png');
  const svg = args.str('svg');
  if (png !== undefined) await writeQrPng(png, text, level);
  if (svg !== undefined) await writeQrSvg(svg, text, level);
  if (args.flag('terminal')) process.stderr.write(await qrTerminal(text, level));
  process.stderr.write(`serial ${formatSerial(claims.cti)}, ${text.length} chars\n`);
  process.stdout.write(text + '\n');
  return 0;
}
