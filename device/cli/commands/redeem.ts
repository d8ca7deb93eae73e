/** `kiosk redeem`: the same pipeline as the service, without hardware, one JSON event per input line. */
import { StdinScanner } from '../../../drivers/scanner/stdin.js';
import { loadHomeKeys } from '../../../provisioning/home-keys.js';
import { systemClock } from '../../../drivers/clock/port.js';
import { loadHome, resolveHome } from '../../home.js';
import { createLogger } from '../../logger.js';
import { openLedgerOrFault } from '../../main.js';
import { Redeemer } from '../../pipeline.js';
import { verdictEvent, type Verdict } from '../../verdict.js';
import { EXIT, parseCommand, printJson, str } from '../cli-util.js';

export const summary = 'redeem coupon text(s) through the kiosk pipeline and the ledger, printing JSON verdicts';

const USAGE = `usage: kiosk redeem [--home DIR] [TEXT | -]

Redeems TEXT, or each line of stdin (with - or no TEXT), each as one scan at the kiosk
(a script's lines: unlike a scanner's burst, every line counts); the ledger records
ACCEPTED redemptions. Prints one JSON event per line:
  {"event":"verdict","reason":"ACCEPTED","serial":"...","message":"...","at":"..."}
A ledger fault prints {"event":"verdict","reason":null,"fault":"LEDGER_ERROR",...} and
the exit status is 1. Empty input lines are skipped (as the scanner does).`;

export async function run(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, { home: { type: 'string' } }, true);
  if (!parsed) return exitCode;
  if (parsed.positionals.length > 1) {
    process.stderr.write(`expected one TEXT (or -), got ${parsed.positionals.length}\n\n${USAGE}\n`);
    return EXIT.usage;
  }
  const logger = createLogger({ level: process.env['KIOSK_LOG_LEVEL'] ?? 'warn' });
  const home = loadHome(resolveHome(str(parsed, 'home')));
  const keys = { keyring: loadHomeKeys(home.paths.home).snapshot.keyring };
  const ledger = openLedgerOrFault(home, logger);
  const redeemer = new Redeemer({ keys, ledger, clock: systemClock, logger, terminalId: home.config.terminalId });
  let faults = 0;
  const answer = (text: string): void => {
    const v: Verdict = redeemer.redeem(text);
    if (v.kind === 'fault') faults++;
    printJson(verdictEvent(v));
  };
  try {
    const text = parsed.positionals[0];
    if (text !== undefined && text !== '-') answer(text);
    else await eachScan(process.stdin, answer);
  } finally {
    ledger.close();
  }
  return faults > 0 ? EXIT.failed : EXIT.ok;
}

/**
 * Lines framed as the kiosk's stdin scanner frames them (CR, LF or CRLF;
 * empty lines dropped; an overlong line cut to 4,097 characters so it is
 * rejected as too long, with bounded memory), until the input ends. Unlike a
 * scanner's burst, every line is a scan: the input is a script's or a file's.
 */
async function eachScan(input: NodeJS.ReadableStream, onLine: (text: string) => void): Promise<void> {
  const scanner = new StdinScanner({ input, burstGapMs: 0 });
  const ended = new Promise<void>((resolve) => scanner.on('state', (s) => s === 'disconnected' && resolve()));
  scanner.on('line', onLine);
  await scanner.start();
  await ended;
  await scanner.stop();
}
