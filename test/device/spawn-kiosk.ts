/** Run the real `kiosk` CLI as a child process and read its JSON events. */
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SCAN_BURST_GAP_MS } from '../../drivers/scanner/port.js';
import { MERCHANT_ID, PLATFORM_ID, writeKeyFiles, type TestKeys } from './helpers.js';

export const KIOSK_CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../device/cli/kiosk.js');

export interface Run {
  child: ChildProcessWithoutNullStreams;
  events: Record<string, unknown>[];
  /** resolves with the exit code (or signal name) once stdout is drained and the process exited */
  done: Promise<number | string>;
  /** resolves once `pred` matches an event seen so far or later */
  waitFor(pred: (e: Record<string, unknown>, count: number) => boolean): Promise<void>;
}

/**
 * `stdin: 'devnull'` gives the child /dev/null as stdin, as systemd does (child.stdin is then unusable);
 * `env` adds variables (NOTIFY_SOCKET…) to ours.
 */
export function spawnKiosk(args: string[], opts: { stdin?: 'pipe' | 'devnull'; env?: Record<string, string> } = {}): Run {
  const stdio = [opts.stdin === 'devnull' ? 'ignore' : 'pipe', 'pipe', 'pipe'] as const;
  const env = { ...process.env, KIOSK_LOG_LEVEL: 'warn', ...opts.env };
  const child = spawn(process.execPath, [KIOSK_CLI, ...args], { stdio: [...stdio], env }) as ChildProcessWithoutNullStreams;
  const events: Record<string, unknown>[] = [];
  const waiters: { pred: (e: Record<string, unknown>, n: number) => boolean; resolve: () => void }[] = [];
  child.stderr.resume();
  const rl = createInterface({ input: child.stdout, crlfDelay: Infinity });
  rl.on('line', (line) => {
    const event = JSON.parse(line) as Record<string, unknown>;
    events.push(event);
    for (const w of [...waiters]) {
      if (!w.pred(event, events.length)) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const closed = new Promise<void>((resolve) => rl.on('close', resolve));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const done = Promise.all([closed, exited]).then(([, code]) => code);
  const waitFor = (pred: (e: Record<string, unknown>, n: number) => boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      if (events.some((e, i) => pred(e, i + 1))) return resolve();
      waiters.push({ pred, resolve });
      void done.then(() => reject(new Error(`kiosk exited before the awaited event; ${events.length} events`)));
    });
  return { child, events, done, waitFor };
}

export const isVerdict = (e: Record<string, unknown>): boolean => e['event'] === 'verdict';

/** `kiosk provision import` of the test keys into DIR/home, as a technician runs it; returns the home. */
export function provisionWithCli(dir: string, keys: TestKeys): string {
  const home = path.join(dir, 'home');
  const f = writeKeyFiles(dir, keys);
  const args = ['provision', 'import', '--home', home, '--platform-id', PLATFORM_ID, '--platform-key', f.platformPub, '--merchant-id', MERCHANT_ID, '--merchant-key', f.merchantKey];
  execFileSync(process.execPath, [KIOSK_CLI, ...args], { env: { ...process.env, KIOSK_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  return home;
}

/**
 * Scan texts one at a time into `kiosk start` on stdin, as a person would:
 * each after the previous verdict and a pause longer than one scan's burst
 * (SCAN_BURST_GAP_MS), so that each line is a scan of its own.
 */
export async function scanPaced(run: Run, texts: readonly string[]): Promise<void> {
  for (const t of texts) {
    const seen = run.events.filter(isVerdict).length;
    run.child.stdin.write(t + '\n');
    await run.waitFor(() => run.events.filter(isVerdict).length > seen);
    await new Promise((r) => setTimeout(r, SCAN_BURST_GAP_MS + 10));
  }
}
