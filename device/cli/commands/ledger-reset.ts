/**
 * `kiosk ledger reset`: retire this kiosk's ledger and start a new, empty one.
 * It says exactly what it retires; without --yes it changes nothing.
 */
import { loadHome, resolveHome } from '../../home.js';
import { describeLedger, resetLedger, type LedgerSummary } from '../../ledger-admin.js';
import { createLogger } from '../../logger.js';
import { EXIT, parseCommand, printJson, str } from '../cli-util.js';

const USAGE = `usage: kiosk ledger reset [--home DIR] [--yes] [--json]

Retires this kiosk's ledger and starts a new, empty one. Nothing is deleted:
the ledger's files (ledger.sqlite and its -wal/-shm) are moved aside to
ledger.sqlite.retired-<time> in the home, and home.json records the retired
ledger. But the kiosk forgets every redemption in it: a coupon redeemed before
can be redeemed again here, and redemptions not yet uploaded or exported stay
in the retired file. Use it only when the ledger is truly lost or unusable and
no backup can be restored (docs/operations.md, "Backup and restore").
Stop the service first; the reset refuses while the ledger is open.

  --yes    do it (without it, print what would be retired and change nothing)
  --json   one JSON object`;

export async function runReset(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, { home: { type: 'string' }, yes: { type: 'boolean' }, json: { type: 'boolean' } });
  if (!parsed) return exitCode;
  const home = loadHome(resolveHome(str(parsed, 'home')));
  const logger = createLogger({ level: process.env['KIOSK_LOG_LEVEL'] ?? 'warn' });
  const json = parsed.values['json'] === true;
  if (parsed.values['yes'] !== true) {
    const current = describeLedger(home.paths, home.config, logger);
    if (json) printJson({ done: false, current });
    else process.stdout.write(`${describe(current)}\nNothing was changed: run again with --yes to retire it and start a new, empty ledger.\n`);
    return EXIT.usage;
  }
  const result = resetLedger(home.paths, home.config, { logger });
  if (json) printJson({ done: true, ...result });
  else {
    const moved = result.retired.movedTo ? `its files were moved to ${result.retired.movedTo}` : 'it had no files left';
    process.stdout.write(`Retired ledger ${result.retired.id ?? '(no identity)'}: ${moved}.\nNew, empty ledger ${result.created.id} at ${result.created.path}.\n`);
  }
  return EXIT.ok;
}

function describe(s: LedgerSummary): string {
  const lines = [`This would retire ledger ${s.id ?? '(no identity recorded)'} at ${s.path}${s.created ? `, created ${s.created}` : ''}.`];
  if (s.counts) {
    const c = s.counts;
    lines.push(`It holds ${c.redemptions} redemptions (${c.pendingUpload} not uploaded, ${c.notExported} not exported), ${c.scans} scans, ${c.revocations} revocations.`);
    lines.push('Every coupon redeemed in it could be redeemed again at this kiosk.');
  } else lines.push(`Its contents cannot be read${s.problem ? `: ${s.problem}` : ''}.`);
  lines.push(s.files.length > 0 ? `Files moved aside (not deleted): ${s.files.join(', ')}.` : 'It has no files left to move.');
  return lines.join('\n');
}
