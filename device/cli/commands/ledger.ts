/**
 * `kiosk ledger list|conflicts|attention|backup|reset`: the redemptions
 * recorded on this kiosk, what the platforms said against them, a consistent
 * copy of the ledger, and starting over (explicitly).
 */
import type { Redemption } from '../../ledger/types.js';
import { formatSerial } from '../../../coupon/index.js';
import { loadHome, resolveHome } from '../../home.js';
import { createLogger } from '../../logger.js';
import { backupLedger } from '../../ledger-admin.js';
import { EXIT, intOption, parseCommand, printJson, required, str, type Parsed } from '../cli-util.js';
import { iso, readLedger, unavailableLine, type LedgerAccess } from '../open-ledger.js';
import { runReset } from './ledger-reset.js';

export const summary = 'list the redemptions in the kiosk ledger; back it up; reset it (technicians)';

const USAGE = `usage: kiosk ledger list [--home DIR] [--json] [--limit N]
       kiosk ledger conflicts [--home DIR] [--json] [--limit N]
       kiosk ledger attention [--home DIR] [--json] [--limit N] [--platform ID]
       kiosk ledger backup --to FILE [--home DIR] [--json]
       kiosk ledger reset [--home DIR] [--yes] [--json]

  list      the redemptions, newest first; --limit N (default 50); --json: one object per redemption
  conflicts coupons the platform reports redeemed at two terminals, this one among them, newest first;
            --json: one object per conflict with its serial, which side counts (won/lost) and both redemptions
  attention uploads that need a person, newest first: rejected by the platform (unknown, revoked, refused:
            kept, and exported on the next stick) and held (the platform cannot read the record: offered again
            after a restart); --json: one object per entry with its serial, state, result and the platform's words
  backup    a consistent copy of the ledger into FILE (a new file), safe while the service runs
  reset     retire this kiosk's ledger and start a new, empty one: see \`kiosk ledger reset --help\``;

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = { list, conflicts, attention, backup, reset: runReset };

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h') {
    process.stdout.write(USAGE + '\n');
    return EXIT.ok;
  }
  const command = sub === undefined ? undefined : SUBCOMMANDS[sub];
  if (!command) {
    process.stderr.write(`kiosk ledger: expected list, conflicts, attention, backup or reset, got ${JSON.stringify(sub ?? '')}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  return command(rest);
}

async function attention(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, { home: { type: 'string' }, json: { type: 'boolean' }, limit: { type: 'string' }, platform: { type: 'string' } });
  if (!parsed) return exitCode;
  const limit = intOption(parsed, 'limit', 1000);
  const platformId = str(parsed, 'platform');
  const got = rowsOf('attention', parsed, (ledger) => ledger.sync.attention({ limit, ...(platformId === undefined ? {} : { platformId }) }));
  if (got === undefined) return EXIT.failed;
  const out = got.rows.map((e) => ({
    serial: e.serial, platformId: e.platformId, kind: e.kind, state: e.state, result: e.result, detail: e.detail,
    scannedAt: iso(e.scannedAt), at: iso(e.at), answeredAt: e.answeredAt === null ? null : iso(e.answeredAt), seq: e.seq, ctiHex: e.ctiHex,
  }));
  if (parsed.values['json']) out.forEach((e) => printJson(e));
  else if (out.length === 0) process.stdout.write('nothing needs attention: every upload was taken or is on its way\n');
  else for (const e of out) process.stdout.write(`${e.serial}  ${e.kind} ${e.state === 'held' ? 'HELD (the platform cannot read it)' : `REJECTED ${e.result ?? ''}`}: ${e.detail ?? '-'}  scanned ${e.scannedAt}  [${e.platformId}]\n`);
  return EXIT.ok;
}

/**
 * The rows `read` takes from the ledger (none when there is no ledger yet),
 * the ledger closed again; undefined after saying why the ledger cannot be read.
 */
function rowsOf<T>(name: string, parsed: Parsed, read: (ledger: Extract<LedgerAccess, { state: 'ok' }>['ledger']) => T[]): { rows: T[]; none: boolean } | undefined {
  const access = readLedger(homeOf(parsed));
  if (access.state === 'unavailable') {
    process.stderr.write(`kiosk ledger ${name}: ledger ${unavailableLine(access)}\n`);
    return undefined;
  }
  if (access.state === 'none') return { rows: [], none: true };
  try {
    return { rows: read(access.ledger), none: false };
  } finally {
    access.ledger.close();
  }
}

function homeOf(parsed: Parsed): ReturnType<typeof loadHome> {
  return loadHome(resolveHome(str(parsed, 'home')));
}

async function list(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, { home: { type: 'string' }, json: { type: 'boolean' }, limit: { type: 'string' } });
  if (!parsed) return exitCode;
  const limit = intOption(parsed, 'limit', 50);
  const got = rowsOf('list', parsed, (ledger) => ledger.list({ limit }));
  if (got === undefined) return EXIT.failed;
  if (parsed.values['json']) got.rows.forEach((r) => printJson(r));
  else process.stdout.write(got.none ? 'no ledger yet: the service creates it at its first start\n' : table(got.rows));
  return EXIT.ok;
}

async function conflicts(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, { home: { type: 'string' }, json: { type: 'boolean' }, limit: { type: 'string' } });
  if (!parsed) return exitCode;
  const limit = intOption(parsed, 'limit', 1000);
  const got = rowsOf('conflicts', parsed, (ledger) => ledger.sync.conflicts({ limit }));
  if (got === undefined) return EXIT.failed;
  const out = got.rows.map((c) => ({ serial: formatSerial(Buffer.from(c.ctiHex, 'hex')), ...c, seenAt: iso(c.seenAt) }));
  if (parsed.values['json']) out.forEach((c) => printJson(c));
  else if (out.length === 0) process.stdout.write('no conflicts\n');
  else for (const c of out) process.stdout.write(`${c.serial}  ${c.side === 'won' ? 'counts here' : 'LOST'}: first ${c.first.terminalId} (${c.first.branchId ?? '-'}) ${iso(c.first.scannedAt)}, second ${c.second.terminalId} (${c.second.branchId ?? '-'}) ${iso(c.second.scannedAt)}  [${c.platformId}]\n`);
  return EXIT.ok;
}

async function backup(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, { home: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' } });
  if (!parsed) return exitCode;
  const req = required(parsed, ['to'], USAGE);
  if (!req) return EXIT.usage;
  const home = homeOf(parsed);
  const logger = createLogger({ level: process.env['KIOSK_LOG_LEVEL'] ?? 'warn' });
  const result = await backupLedger(home.paths, home.config, req['to'] as string, { logger });
  if (parsed.values['json']) printJson(result);
  else {
    const c = result.counts;
    process.stdout.write(
      `ledger ${result.id ?? '(no identity yet)'} backed up to ${result.file} (${result.bytes} bytes): ${c.redemptions} redemptions, ` +
        `${c.pendingUpload} not uploaded, ${c.notExported} not exported, ${c.scans} scans, ${c.revocations} revocations\n`,
    );
  }
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
