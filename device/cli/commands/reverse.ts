/**
 * `kiosk reverse`: a cashier scanned the wrong coupon. Within the
 * merchant's reversal window (the platform's `reversalWindowS`, default
 * 600 s) the live redemption of that serial is undone by a compensating
 * entry: the row stays (reversed), a `reverse` outbox entry is queued and
 * uploaded like a redemption, the coupon can be redeemed again. The
 * platform checks the window too and refuses a reversal of a redemption
 * made elsewhere.
 */
import { loadPlatforms } from '../../../provisioning/store/load.js';
import { loadHome, resolveHome } from '../../home.js';
import { openHomeLedger, planLedger } from '../../home-ledger.js';
import { createLogger } from '../../logger.js';
import { EXIT, parseCommand, printJson, required, str } from '../cli-util.js';
import { iso } from '../open-ledger.js';

export const summary = 'undo a redemption made here within the reversal window (a compensating entry, uploaded)';

const USAGE = `usage: kiosk reverse --serial S [--home DIR] [--json]

Undoes this kiosk's live redemption of coupon S (its serial, as on the verdict screen) if it was scanned
within the merchant's reversal window (default 600 s; 0: no reversals). Nothing is deleted: the
redemption is marked reversed and a reverse entry is queued for the platform; the coupon is free again.
Exit 1 when there is no such redemption, it is reversed already, or the window has passed.`;

const DEFAULT_WINDOW_S = 600;

export async function run(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, { home: { type: 'string' }, serial: { type: 'string' }, json: { type: 'boolean' } });
  if (!parsed) return exitCode;
  const req = required(parsed, ['serial'], USAGE);
  if (!req) return EXIT.usage;
  const json = parsed.values['json'] === true;
  const home = loadHome(resolveHome(str(parsed, 'home')));
  const fail = (code: string, message: string): number => {
    if (json) printJson({ ok: false, code, message });
    else process.stderr.write(`kiosk reverse: ${code}: ${message}\n`);
    return EXIT.failed;
  };
  if (planLedger(home.paths, home.config).kind === 'create') return fail('NOT_FOUND', 'no ledger yet: nothing was redeemed here');
  const ledger = openHomeLedger(home.paths, home.config, { logger: createLogger({ level: process.env['KIOSK_LOG_LEVEL'] ?? 'warn' }) });
  try {
    const serial = (req['serial'] as string).trim().toUpperCase();
    const live = ledger.findBySerial(serial).find((r) => r.reversedAt === null);
    if (!live) return fail('NOT_FOUND', `no live redemption of ${serial} on this kiosk (kiosk ledger list shows them)`);
    const windowS = reversalWindow(home.paths.home, live.platformId);
    const now = Date.now();
    if (windowS === 0) return fail('REVERSAL_OFF', `platform ${live.platformId} allows no reversals`);
    if (now - live.at > windowS * 1000) return fail('REVERSAL_WINDOW_PASSED', `${serial} was redeemed ${iso(live.at)}, more than ${windowS} s ago`);
    const out = ledger.reverse(live.id, now);
    if (!out.ok) return fail(out.reason, `${serial}: ${out.reason === 'ALREADY_REVERSED' ? 'reversed already' : 'not found'}`);
    if (json) printJson({ ok: true, serial, platformId: live.platformId, redeemedAt: live.at, reversedAt: now, seq: out.seq });
    else process.stdout.write(`${serial} reversed (redeemed ${iso(live.at)}): the platform learns it at the next sync; the coupon can be redeemed again\n`);
    return EXIT.ok;
  } finally {
    ledger.close();
  }
}

/** the platform's window from its enrollment (refreshed by state answers); a PEM-imported platform: the default */
function reversalWindow(home: string, platformId: string): number {
  const p = loadPlatforms(home).find((x) => x.platformId === platformId);
  const w = (p?.record.sync as { reversalWindowS?: unknown } | undefined)?.reversalWindowS;
  return typeof w === 'number' ? w : DEFAULT_WINDOW_S;
}
