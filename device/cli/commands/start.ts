/** `kiosk start`: run the kiosk service until SIGTERM/SIGINT (or, on stdin, until the input ends). */
import { DEMO_HOME, resolveHome } from '../../home.js';
import { demoInstructions, ensureDemoHome, issueDemoCoupon } from '../../demo.js';
import type { DisplayMode } from '../../hardware.js';
import type { Kiosk } from '../../kiosk.js';
import { buildService, runService } from '../../main.js';
import { verdictEvent } from '../../verdict.js';
import { EXIT, parseCommand, printJson, str } from '../cli-util.js';

export const summary = 'run the kiosk service (simulated hardware: stdin scanner, terminal screen)';

const USAGE = `usage: kiosk start [--home DIR] [--simulate] [--display blocks|text|none] [--json] [--demo]

  --home DIR     the kiosk home (default: $KIOSK_HOME or /var/lib/coupon-kiosk; with --demo ./${DEMO_HOME})
  --simulate     simulated hardware: scans are lines on stdin, the screen is drawn in the terminal,
                 LEDs and buzzer are log lines (today the only hardware this build drives)
  --display M    blocks (the 128x64 panel in block characters), text, or none
  --json         one JSON object per event on stdout ({"event":"verdict","reason":...});
                 the screen is then drawn on stderr
  --demo         first run: create demo platform and merchant keys in the home, print how to
                 issue demo coupons, and print one to paste
The service stops cleanly on SIGTERM / SIGINT, and when stdin (the simulated scanner) ends.`;

const DISPLAY_MODES = ['blocks', 'text', 'none'] as const;

export async function run(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, {
    home: { type: 'string' },
    simulate: { type: 'boolean' },
    display: { type: 'string' },
    json: { type: 'boolean' },
    demo: { type: 'boolean' },
  });
  if (!parsed) return exitCode;
  const display = str(parsed, 'display');
  if (display !== undefined && !(DISPLAY_MODES as readonly string[]).includes(display)) {
    process.stderr.write(`--display must be one of ${DISPLAY_MODES.join(', ')}, got ${JSON.stringify(display)}\n`);
    return EXIT.usage;
  }
  const json = parsed.values['json'] === true;
  const demo = parsed.values['demo'] === true;
  const home = demo && str(parsed, 'home') === undefined && !process.env['KIOSK_HOME'] ? resolveHome(DEMO_HOME) : resolveHome(str(parsed, 'home'));
  if (demo) prepareDemo(home, json);
  const service = buildService({ home, json, ...(display ? { displayMode: display as DisplayMode } : {}) });
  if (json) printEvents(service.kiosk);
  return runService(service, process.stdin);
}

function prepareDemo(home: string, json: boolean): void {
  const created = ensureDemoHome(home);
  const text = (created ? 'Created demo keys.\n' : '') + demoInstructions(home, issueDemoCoupon(home));
  (json ? process.stderr : process.stdout).write(text);
}

/** --json: stdout carries only these lines. */
function printEvents(kiosk: Kiosk): void {
  kiosk.on('verdict', (v) => printJson(verdictEvent(v)));
  kiosk.on('fault', (f) => printJson({ event: 'fault', ...f }));
  let phase = '';
  kiosk.on('state', (s) => {
    if (s.phase === phase) return;
    phase = s.phase;
    printJson({ event: 'state', ...s });
  });
}
