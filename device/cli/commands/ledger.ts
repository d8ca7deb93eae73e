/** `kiosk ledger list`: the redemptions recorded on this kiosk, newest first. */
import type { Redemption } from '../../ledger/types.js';
import { loadHome, resolveHome } from '../../home.js';
import { EXIT, intOption, parseCommand, printJson, str } from '../cli-util.js';
import { iso, openLedgerReadOnly } from '../open-ledger.js';

export const summary = 'list the redemptions in the kiosk ledger';

const USAGE = `usage: kiosk ledger list [--home DIR] [--json] [--limit N]

  --limit N   at most N redemptions, newest first (default 50)
  --json      one JSON object per redemption`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') {
    process.stdout.write(USAGE + '\n');
    return EXIT.ok;
  }
  if (sub !== 'list') {
    process.stderr.write(`kiosk ledger: expected 'list', got ${JSON.stringify(sub ?? '')}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const { parsed, exitCode } = parseCommand(rest, USAGE, { home: { type: 'string' }, json: { type: 'boolean' }, limit: { type: 'string' } });
  if (!parsed) return exitCode;
  const limit = intOption(parsed, 'limit', 50);
  const home = loadHome(resolveHome(str(parsed, 'home')));
  const ledger = openLedgerReadOnly(home.config.ledgerPath);
  const rows = ledger?.list({ limit }) ?? [];
  ledger?.close();
  if (parsed.values['json']) rows.forEach((r) => printJson(r));
  else process.stdout.write(table(rows));
  return EXIT.ok;
}

function table(rows: Redemption[]): string {
  if (rows.length === 0) return 'no redemptions\n';
  const head = ['redeemed at (UTC)', 'serial', 'platform', 'product', 'qty', 'terminal', 'uploaded'];
  const body = rows.map((r) => [iso(r.at), r.serial, r.platformId, r.title ?? r.product, String(r.quantity), r.terminalId, r.uploadedAt ? 'yes' : 'no']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(head), ...body.map(line)].join('\n') + '\n';
}
