/**
 * Test helper: run the built CLIs (`coupon-platform`, `kiosk`) as a user
 * would, in a child process, and keys/coupons in a temp directory.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/ (this file is dist/test/platform/cli-run.js) */
export const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PLATFORM_CLI = path.join(DIST, 'platform/cli.js');
export const KIOSK_CLI = path.join(DIST, 'device/cli/kiosk.js');

/** Makes any native addon load fail loudly: `kiosk verify` must not load hardware modules. */
const NO_NATIVE = `data:text/javascript,process.dlopen=(m,f)=>{throw new Error('native module loaded: '+f)}`;

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runNode(script: string, args: string[], opts: { input?: string | Buffer; cwd?: string } = {}): RunResult {
  const r = spawnSync(process.execPath, ['--import', NO_NATIVE, script, ...args], {
    input: opts.input ?? '',
    cwd: opts.cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export const platform = (args: string[], opts?: { input?: string; cwd?: string }): RunResult => runNode(PLATFORM_CLI, args, opts);
export const kiosk = (args: string[], opts?: { input?: string | Buffer; cwd?: string }): RunResult => runNode(KIOSK_CLI, args, opts);

/** The JSON objects `kiosk verify` printed, one per line. */
export function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export function tempDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coupon-cli-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
