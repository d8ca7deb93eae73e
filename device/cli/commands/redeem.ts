/** `kiosk redeem`: the same pipeline as the service, without hardware, one JSON event per input line. */
import { StdinScanner } from '../../../drivers/scanner/stdin.js';
import { loadHomeKeys } from '../../../provisioning/home-keys.js';
import { systemClock } from '../../../drivers/clock/port.js';
import { loadHome, resolveHome } from '../../home.js';
import { createLogger } from '../../logger.js';
import { openLedgerOrFault } from '../../main.js';
import { Redeemer } from '../../pipeline.js';
import { buildClaims } from '../../main-claims.js';
import { verdictEvent, type Verdict } from '../../verdict.js';
import { EXIT, parseCommand, printJson, str } from '../cli-util.js';

export const summary = 'redeem coupon text(s) through the kiosk pipeline and the ledger, printing JSON verdicts';

const USAGE = `usage: kiosk redeem [--home DIR] [TEXT | -]

Redeems TEXT, or each line of stdin (with - or no TEXT), each as one scan at the kiosk
(a script's lines: unlike a scanner's burst, every line counts); the ledger records
ACCEPTED redemptions. The same pipeline as kiosk start, online claims included: a
merchant in online-required or online-preferred mode claims each coupon on its
platform first (claims.timeoutMs; "offline": true marks one accepted offline). Prints one JSON event per line:
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
  const loaded = loadHomeKeys(home.paths.home);
  const keys = { keyring: loaded.snapshot.keyring };
  const ledger = openLedgerOrFault(home, logger);
  const claims = buildClaims({ platforms: () => loaded.enrolled, config: home.config.claims, logger });
  const redeemer = new Redeemer({ keys, ledger, clock: systemClock, logger, terminalId: home.config.terminalId, claims });
  let faults = 0;
  const answer = async (text: string): Promise<void> => {
    const v: Verdict = await redeemer.settle(text);
    if (v.kind === 'fault') faults++;
    printJson(verdictEvent(v));
  };
  try {
    const text = parsed.positionals[0];
    if (text !== undefined && text !== '-') await answer(text);
    else await eachScan(process.stdin, answer);
  } finally {
    await claims.claimer.close();
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
async function eachScan(input: NodeJS.ReadableStream, onLine: (text: string) => Promise<void>): Promise<void> {
  const scanner = new StdinScanner({ input, burstGapMs: 0 });
  const ended = new Promise<void>((resolve) => scanner.on('state', (s) => s === 'disconnected' && resolve()));
  // one line at a time, in order: a line waiting for its online claim holds the next ones
  let chain = Promise.resolve();
  scanner.on('line', (text) => {
    chain = chain.then(() => onLine(text));
  });
  await scanner.start();
  await ended;
  await scanner.stop();
  await chain;
}
