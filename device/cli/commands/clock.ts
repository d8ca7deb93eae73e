/**
 * `kiosk clock reset`: set the ledger's trusted-time floor back to a time the
 * technician vouches for (the system clock, once it is known to be right, or
 * --to). For a floor that a bad signed time pushed too far (every genuine
 * coupon EXPIRED while the clock is right). Recorded in the ledger's meta
 * table and logged.
 */
import { systemClock } from '../../../drivers/clock/port.js';
import { loadHome, resolveHome } from '../../home.js';
import { openHomeLedger } from '../../home-ledger.js';
import { createLogger } from '../../logger.js';
import { CLOCK_EPOCH_S } from '../../trusted-time.js';
import { EXIT, parseCommand, printJson, str } from '../cli-util.js';
import { iso } from '../open-ledger.js';

export const summary = 'reset the trusted-time floor to the system clock (or --to TIME), for technicians';

const USAGE = `usage: kiosk clock reset [--home DIR] [--to TIME] [--yes] [--json]

Sets the trusted time (the floor the kiosk never lets its clock fall behind)
to the system clock, or to --to TIME (ISO 8601, e.g. 2026-12-01T09:30:00Z).
Use it when the floor is ahead of the real time: the status line shows a clock
warning and genuine coupons are EXPIRED although the system clock is right
(check it first: timedatectl). The change is recorded in the ledger and logged.
It takes effect at once, also in a running kiosk service.

  --to TIME  the new floor (default: the system clock now)
  --yes      do it (without it, print what would change and change nothing)`;

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub !== 'reset') {
    (sub === '--help' || sub === '-h' ? process.stdout : process.stderr).write(USAGE + '\n');
    return sub === '--help' || sub === '-h' ? EXIT.ok : EXIT.usage;
  }
  const { parsed, exitCode } = parseCommand(rest, USAGE, { home: { type: 'string' }, to: { type: 'string' }, yes: { type: 'boolean' }, json: { type: 'boolean' } });
  if (!parsed) return exitCode;
  const to = target(str(parsed, 'to'));
  if (typeof to === 'string') {
    process.stderr.write(`kiosk clock reset: ${to}\n`);
    return EXIT.usage;
  }
  const home = loadHome(resolveHome(str(parsed, 'home')));
  const logger = createLogger({ level: process.env['KIOSK_LOG_LEVEL'] ?? 'warn' });
  const ledger = openHomeLedger(home.paths, home.config, { logger });
  try {
    const from = ledger.trustedTime();
    if (parsed.values['yes'] !== true) {
      if (parsed.values['json']) printJson({ done: false, from: iso(from * 1000), to: iso(to * 1000) });
      else process.stdout.write(`The trusted time is ${iso(from * 1000)}; it would be set to ${iso(to * 1000)}.\nNothing was changed: run again with --yes.\n`);
      return EXIT.usage;
    }
    const result = ledger.resetTrustedTime(to, `kiosk clock reset by ${process.env['SUDO_USER'] ?? process.env['USER'] ?? 'uid ' + String(process.getuid?.())}`);
    if (parsed.values['json']) printJson({ done: true, from: iso(result.from * 1000), to: iso(result.to * 1000) });
    else process.stdout.write(`Trusted time set from ${iso(result.from * 1000)} to ${iso(result.to * 1000)}.\n`);
    return EXIT.ok;
  } finally {
    ledger.close();
  }
}

/** Unix s, or a message saying why not. */
function target(flag: string | undefined): number | string {
  if (flag === undefined) {
    const now = Math.floor(systemClock.now() / 1000);
    if (now < CLOCK_EPOCH_S) return `the system clock says ${iso(now * 1000)}, which cannot be right: set it first (timedatectl set-time), or give --to`;
    return now;
  }
  const ms = Date.parse(flag);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(flag) || Number.isNaN(ms)) return `--to must be an ISO 8601 time such as 2026-12-01T09:30:00Z, got ${JSON.stringify(flag)}`;
  return Math.floor(ms / 1000);
}
