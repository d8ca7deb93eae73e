/** `kiosk start`: run the kiosk service until SIGTERM/SIGINT (or, on stdin, until the input ends). */
import { fstatSync } from 'node:fs';
import path from 'node:path';
import { isatty } from 'node:tty';
import { DEMO_HOME, resolveHome } from '../../home.js';
import { demoInstructions, ensureDemoHome, issueDemoCoupon } from '../../demo.js';
import type { DisplayMode } from '../../hardware.js';
import type { Kiosk } from '../../kiosk.js';
import { createLogger } from '../../logger.js';
import { buildService, runService } from '../../main.js';
import { verdictEvent } from '../../verdict.js';
import type { SyncWorker } from '../../../sync/worker.js';
import { EXIT, parseCommand, printJson, str, type Parsed } from '../cli-util.js';

export const summary = 'run the kiosk service (real hardware from config.json, or simulated)';

const USAGE = `usage: kiosk start [--home DIR] [--simulate] [--display blocks|text|none] [--json] [--demo]
                   [--scanner stdin|serial|hid] [--serial-path PATH] [--baud N] [--hid-device VID:PID|PATH]
                   [--hid-reports PATH|-] [--usb-root PATH]...

  --home DIR          the kiosk home (default: $KIOSK_HOME or /var/lib/coupon-kiosk; with --demo ./${DEMO_HOME})
  --simulate          simulated hardware: scans are lines on stdin, the screen is drawn in the terminal,
                      LEDs and buzzer are log lines, whatever config.json says
  --display M         draw the screen in the terminal instead: blocks (the 128x64 panel), text, or none
  --scanner D         override config.json's scanner.driver for a quick check
  --serial-path PATH  serial scanner port (prefer /dev/serial/by-id/...); implies --scanner serial
  --baud N            serial baud rate (default 115200)
  --hid-device ID     HID scanner as VID:PID in hex (e.g. 0c2e:0b61) or a hidraw path; implies --scanner hid
  --hid-reports SRC   simulate a keyboard-emulation HID scanner: the real HID driver and decoder read raw
                      8-byte boot keyboard reports from SRC (a file or FIFO; - for stdin) instead of a USB
                      device; at the end of SRC the scanner is unplugged (with -, the service stops)
  --usb-root PATH     watch PATH for USB sticks instead of usb.roots (repeatable); with --simulate too
  --json              one JSON object per event on stdout ({"event":"verdict",...}, {"event":"scanner",...},
                      {"event":"export","state":"started|progress|done|interrupted|skipped",...},
                      {"event":"sync","platformId":...,"online":...,"pending":...,"rejected":...,"conflicts":...});
                      the screen is then drawn on stderr
  --demo              first run: create demo platform and merchant keys in the home, print how to
                      issue demo coupons, and print one to paste (implies --simulate)
The service stops cleanly on SIGTERM / SIGINT, and when stdin ends if stdin is the scanner.`;

const DISPLAY_MODES = ['blocks', 'text', 'none'] as const;
const SCANNERS = ['stdin', 'serial', 'hid'] as const;

export async function run(argv: string[]): Promise<number> {
  const { parsed, exitCode } = parseCommand(argv, USAGE, {
    home: { type: 'string' },
    simulate: { type: 'boolean' },
    display: { type: 'string' },
    json: { type: 'boolean' },
    demo: { type: 'boolean' },
    scanner: { type: 'string' },
    'serial-path': { type: 'string' },
    baud: { type: 'string' },
    'hid-device': { type: 'string' },
    'hid-reports': { type: 'string' },
    'usb-root': { type: 'string', multiple: true },
  });
  if (!parsed) return exitCode;
  const display = str(parsed, 'display');
  const problem = checkChoice('--display', display, DISPLAY_MODES) ?? checkChoice('--scanner', str(parsed, 'scanner'), SCANNERS);
  if (problem) {
    process.stderr.write(problem + '\n');
    return EXIT.usage;
  }
  const json = parsed.values['json'] === true;
  const demo = parsed.values['demo'] === true;
  const home = demo && str(parsed, 'home') === undefined && !process.env['KIOSK_HOME'] ? resolveHome(DEMO_HOME) : resolveHome(str(parsed, 'home'));
  if (demo) prepareDemo(home, json);
  const hidReports = str(parsed, 'hid-reports');
  const service = buildService({
    home,
    json,
    simulate: demo || parsed.values['simulate'] === true,
    // the demo is for a person at a terminal: JSON log lines would bury the screen
    ...(demo && !process.env['KIOSK_LOG_LEVEL'] ? { logger: createLogger({ level: 'warn' }) } : {}),
    overrides: scannerOverrides(parsed),
    ...(hidReports !== undefined ? { hidReports } : {}),
    ...(display ? { displayMode: display as DisplayMode } : {}),
    ...usbRoots(parsed),
  });
  if (json) printEvents(service.kiosk);
  if (json) service.usb?.on('export', printJson);
  if (json) printSyncEvents(service.sync);
  const stopAtEnd = (service.hardware.scanner.name === 'stdin' || hidReports === '-') && !stdinIsNullDevice();
  return runService(service, stopAtEnd ? process.stdin : undefined);
}

/**
 * Under systemd stdin is /dev/null: a kiosk whose config names no scanner must
 * then stay up showing "scanner disconnected", not exit and be restarted in a
 * loop. A pipe or a file (scripts, tests) still ends the service at its end.
 */
function stdinIsNullDevice(): boolean {
  try {
    return fstatSync(0).isCharacterDevice() && !isatty(0);
  } catch {
    return true; // no stdin at all
  }
}

function usbRoots(parsed: Parsed): { usbRoots?: string[] } {
  const roots = (parsed.values as Record<string, unknown>)['usb-root'];
  return Array.isArray(roots) && roots.length > 0 ? { usbRoots: roots.map((r) => path.resolve(String(r))) } : {};
}

function checkChoice(flag: string, value: string | undefined, allowed: readonly string[]): string | undefined {
  if (value === undefined || allowed.includes(value)) return undefined;
  return `${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`;
}

/** The scanner flags as a config.json fragment, so they are validated like the file. */
export function scannerOverrides(parsed: Parsed): Record<string, unknown> {
  const serialPath = str(parsed, 'serial-path');
  const baud = str(parsed, 'baud');
  const hidReports = str(parsed, 'hid-reports');
  // the simulated device is listed under the --hid-reports value and types like a keyboard
  const hid = hidReports !== undefined ? { device: hidReports, mode: 'keyboard' } : str(parsed, 'hid-device') !== undefined ? { device: str(parsed, 'hid-device') } : {};
  const driver = hidReports !== undefined ? 'hid' : (str(parsed, 'scanner') ?? (serialPath ? 'serial' : 'device' in hid ? 'hid' : undefined));
  const serial: Record<string, unknown> = {};
  if (serialPath) serial['path'] = serialPath;
  if (baud !== undefined) serial['baudRate'] = /^\d+$/.test(baud) ? Number(baud) : baud;
  const scanner: Record<string, unknown> = { serial, hid };
  if (driver) scanner['driver'] = driver;
  return { scanner };
}

function prepareDemo(home: string, json: boolean): void {
  const created = ensureDemoHome(home);
  const text = (created ? 'Created demo keys.\n' : '') + demoInstructions(home, issueDemoCoupon(home));
  (json ? process.stderr : process.stdout).write(text);
}

/** --json: a line per platform whenever its online state or its counts change (not per idle check). */
function printSyncEvents(sync: SyncWorker | undefined): void {
  const last = new Map<string, string>();
  sync?.on('status', (s) => {
    const key = JSON.stringify([s.online, s.pending, s.rejected, s.held, s.conflicts, s.claimMode]);
    if (last.get(s.platformId) === key) return;
    last.set(s.platformId, key);
    printJson({ event: 'sync', ...s });
  });
}

/** --json: stdout carries only these lines. */
function printEvents(kiosk: Kiosk): void {
  kiosk.on('verdict', (v) => printJson(verdictEvent(v)));
  kiosk.on('fault', (f) => printJson({ event: 'fault', ...f }));
  let phase = '';
  let scanner = '';
  kiosk.on('state', (s) => {
    if (s.scanner !== scanner) {
      scanner = s.scanner;
      printJson({ event: 'scanner', state: s.scanner });
    }
    if (s.phase === phase) return;
    phase = s.phase;
    printJson({ event: 'state', ...s });
  });
}
