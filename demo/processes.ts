/**
 * The real commands as child processes: `coupon-platform` and `kiosk` from
 * this build, run as a user would run them. Long-running ones (`serve`,
 * `kiosk start --json`) are read by their JSON lines on stdout; their stderr
 * goes to a log file in the demo's work folder, for when a row fails.
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** dist/ (this file is dist/demo/processes.js) */
const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PLATFORM_CLI = path.join(DIST, 'platform/cli.js');
export const KIOSK_CLI = path.join(DIST, 'device/cli/kiosk.js');

const QUIET = { KIOSK_LOG_LEVEL: 'warn', COUPON_PLATFORM_LOG_LEVEL: 'warn' };

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run one command to its end (asynchronously: the running kiosks' events keep flowing meanwhile). */
export function runCli(cli: string, args: readonly string[], timeoutMs = 120_000): Promise<CliResult> {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...QUIET } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      stderr += `\n(killed after ${timeoutMs} ms)`;
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

export type Event = Record<string, unknown>;

/** A long-running command whose stdout is one JSON object per line. */
export class JsonProcess {
  readonly events: Event[] = [];
  private readonly waiters: { pred: (e: Event) => boolean; resolve: (e: Event) => void }[] = [];
  readonly exited: Promise<number | string>;
  private readonly log: WriteStream;

  constructor(readonly name: string, readonly child: ChildProcessWithoutNullStreams, logFile: string) {
    this.log = createWriteStream(logFile);
    child.stderr.pipe(this.log);
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  }

  static spawn(name: string, cli: string, args: readonly string[], logFile: string): JsonProcess {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...QUIET } });
    return new JsonProcess(name, child, logFile);
  }

  /** The first event from index `from` on that matches, waiting up to `ms`; rejects naming `what`. */
  next(pred: (e: Event) => boolean, what: string, ms: number, from = 0): Promise<Event> {
    const seen = this.events.slice(from).find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { pred, resolve: (e: Event) => (clearTimeout(timer), resolve(e)) };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`${this.name}: no ${what} within ${ms} ms`));
      }, ms);
      this.waiters.push(waiter);
      void this.exited.then((code) => {
        if (!this.waiters.includes(waiter)) return;
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${code}) before ${what}`));
      });
    });
  }

  /** SIGTERM, then the exit code (SIGKILL after `ms`). */
  async stop(ms = 15_000): Promise<number | string> {
    if (!running(this.child)) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), ms);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  private onLine(line: string): void {
    let event: Event;
    try {
      event = JSON.parse(line) as Event;
    } catch {
      this.log.write(`(not JSON on stdout) ${line}\n`);
      return;
    }
    this.events.push(event);
    for (const w of [...this.waiters]) {
      if (!w.pred(event)) continue;
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(event);
    }
  }
}

export function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}
