/**
 * The kiosk side of the demo, all through `kiosk`: each kiosk gets its own
 * temporary home, is enrolled with `kiosk provision enroll` (the setup QR's
 * content), and runs as `kiosk start --json` with a simulated screen (text on
 * stderr) and LEDs (log lines), but a real scanner driver:
 * - serial: the serial driver on a pseudo-terminal, the scan written to its
 *   far end with the CR a USB-CDC scanner sends;
 * - hid: the HID driver fed raw boot keyboard reports on stdin
 *   (`--hid-reports -`), typed as a US-layout keyboard scanner types.
 * Verdicts are read from the `{"event":"verdict"}` lines.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { encode } from '../drivers/scanner/hid-typing.js';
import { SCAN_BURST_GAP_MS } from '../drivers/scanner/port.js';
import { commandError } from './platform.js';
import { JsonProcess, KIOSK_CLI, runCli, type CliResult, type Event } from './processes.js';
import { ScriptPty } from './pty.js';

export type ScannerKind = 'serial' | 'hid';

/** Online claims may wait for the platform (claimTimeoutMs, 1.5 s by default): well above that. */
const VERDICT_MS = 15_000;

export interface Enrolled {
  home: string;
  terminalId: string;
  branchId: string;
  claimMode: string | null;
}

/** `kiosk provision enroll --home HOME --setup-code CODE --json`, then a config for the simulated screen and LEDs. */
export async function enrollKiosk(home: string, setupCode: string, name: string): Promise<Enrolled> {
  const r = await kioskCli(['provision', 'enroll', '--home', home, '--setup-code', setupCode, '--name', name, '--json']);
  if (r.status !== 0) throw commandError('kiosk provision enroll', r);
  const o = JSON.parse(r.stdout) as { terminalId: string; branchId: string; claimMode?: string | null };
  writeDemoConfig(home);
  return { home, terminalId: o.terminalId, branchId: o.branchId, claimMode: o.claimMode ?? null };
}

/**
 * Screen as text (English), LEDs and buzzer as log lines: a laptop may well have a
 * /dev/gpiochip0 (many x86 boards do) that "auto" would drive. No USB export
 * on whatever stick the laptop has mounted: the demo exports with `kiosk export`.
 */
function writeDemoConfig(home: string): void {
  const file = path.join(home, 'config.json');
  const config = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  Object.assign(config, { language: 'en', display: { driver: 'text' }, indicator: { driver: 'log' }, usb: { enabled: false } });
  writeFileSync(file, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
}

export function kioskCli(args: readonly string[]): Promise<CliResult> {
  return runCli(KIOSK_CLI, args);
}

export class DemoKiosk {
  private constructor(
    readonly label: string,
    readonly enrolled: Enrolled,
    readonly scanner: ScannerKind,
    readonly proc: JsonProcess,
    private readonly pty: ScriptPty | undefined,
  ) {}

  /** `kiosk start --json` with the given scanner; resolves once the scanner is connected. */
  static async start(label: string, enrolled: Enrolled, scanner: ScannerKind, work: string): Promise<DemoKiosk> {
    const pty = scanner === 'serial' ? await ScriptPty.open() : undefined;
    const input = pty ? ['--serial-path', pty.path] : ['--hid-reports', '-'];
    const args = ['start', '--home', enrolled.home, '--json', ...input];
    const proc = JsonProcess.spawn(`kiosk ${label}`, KIOSK_CLI, args, path.join(work, `kiosk-${label}.log`));
    const kiosk = new DemoKiosk(label, enrolled, scanner, proc, pty);
    try {
      await proc.next((e) => e['event'] === 'scanner' && e['state'] === 'connected', 'scanner connected', 30_000);
    } catch (err) {
      await kiosk.stop();
      throw err;
    }
    return kiosk;
  }

  /** What the scanner is, for the table. */
  get describe(): string {
    return this.pty ? `serial driver on pseudo-terminal ${this.pty.path}` : 'HID driver, boot keyboard reports on stdin';
  }

  /** Scan `text` through this kiosk's scanner and return its verdict event. */
  async scan(text: string): Promise<Event> {
    const from = this.proc.events.length;
    if (this.pty) this.pty.scan(text);
    else this.proc.child.stdin.write(Buffer.concat(encode('us', text).map((r) => Buffer.from(r))));
    const verdict = await this.proc.next((e) => e['event'] === 'verdict', 'verdict', VERDICT_MS, from);
    // the next scan comes after a pause, as a cashier's would: a new burst, not the rest of this one
    await sleep(SCAN_BURST_GAP_MS * 2);
    return verdict;
  }

  /** Stop the service (SIGTERM) and unplug the scanner; the service's exit code. */
  async stop(): Promise<number | string> {
    const code = await this.proc.stop();
    await this.pty?.close();
    return code;
  }
}
