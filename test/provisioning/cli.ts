/** The `kiosk` and `coupon-platform` CLIs as child processes, with an environment of the test's choosing; every output kept. */
import { spawn, spawnSync } from 'node:child_process';
import { KIOSK_CLI, PLATFORM_CLI } from '../platform/cli-run.js';

export interface Ran {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Every output a run produced, for the no-key-material test. */
export const transcript: string[] = [];

function runSync(script: string, args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Ran {
  const r = spawnSync(process.execPath, [script, ...args], { input: opts.input ?? '', env: { ...process.env, KIOSK_LOG_LEVEL: 'info', ...opts.env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  transcript.push(r.stdout, r.stderr);
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

export const kioskRun = (args: string[], opts?: { env?: Record<string, string>; input?: string }): Ran => runSync(KIOSK_CLI, args, opts);
export const platformRun = (args: string[], opts?: { env?: Record<string, string>; input?: string }): Ran => runSync(PLATFORM_CLI, args, opts);

/** The same, without blocking the test process (a server in it must keep answering). */
export function kioskAsync(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<Ran> {
  const child = spawn(process.execPath, [KIOSK_CLI, ...args], { env: { ...process.env, KIOSK_LOG_LEVEL: 'info', ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdin.end(opts.input ?? '');
  return new Promise((resolve) => child.on('close', (status, signal) => {
    transcript.push(stdout, stderr);
    resolve({ status, signal, stdout, stderr });
  }));
}

export function ok(r: Ran): string {
  if (r.status !== 0) throw new Error(`exit ${r.status ?? r.signal}:\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

export function json(r: Ran): Record<string, unknown> {
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}
