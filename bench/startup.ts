/**
 * `kiosk start` start-up: spawn → ready event, wall clock and the process's
 * own CPU time (user + system from /proc, which other load on the machine
 * inflates less), against a bare `node -e 0` and against loading typebox and
 * ajv alone, which the start path no longer does (docs/decisions.md: its
 * validators are compiled at build time). Rounds alternate the commands so
 * that all see the same machine load.
 *
 * BENCH_BEFORE_KIOSK=/path/to/an/older/build/dist/device/cli/kiosk.js adds
 * that build's `kiosk start` to the rounds (before/after of a change).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { generateKeyPair, privateKeyToPem, publicKeyToPem } from '../coupon/index.js';
import { importKeys } from '../provisioning/import.js';

export const title = 'Kiosk start-up: validators compiled at build time';

const ROUNDS = 15;
const KIOSK_CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../device/cli/kiosk.js');

interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** user + system CPU of a live process, ms (clock ticks of 10 ms) */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Spawn `args`; the sample is taken when `ready` matches a stdout line (then SIGTERM), or at exit. */
async function sample(args: string[], ready?: (line: string) => boolean): Promise<Sample> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, KIOSK_LOG_LEVEL: 'warn' } });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  let taken: Sample | undefined;
  if (ready) {
    for await (const line of createInterface({ input: child.stdout })) {
      if (!ready(line)) continue;
      taken = { wallMs: performance.now() - t0, cpuMs: cpuMs(child.pid!) };
      child.kill('SIGTERM');
      break;
    }
  } else {
    child.stdout.resume();
    child.on('exit', () => (taken = { wallMs: performance.now() - t0, cpuMs: NaN }));
  }
  await exited;
  if (!taken) throw new Error(`bench: ${args.join(' ')} exited before it was ready`);
  return taken;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
const isReady = (line: string): boolean => /"event":"state".*"phase":"ready"/.test(line);

export async function run(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-startup-'));
  try {
    const home = path.join(dir, 'home');
    const platform = generateKeyPair('ed25519');
    const merchant = generateKeyPair('x25519');
    importKeys({ home, platformId: 'bench-platform', platformKeyPem: publicKeyToPem(platform.publicKey), merchantId: 'bench-merchant', merchantKeyPem: privateKeyToPem(merchant.privateKey) });
    const start = (cli: string): string[] => [cli, 'start', '--home', home, '--simulate', '--display', 'none', '--json'];
    const before = process.env['BENCH_BEFORE_KIOSK'];
    const commands: [string, string[], ((l: string) => boolean)?][] = [
      ['`kiosk start`, spawn → ready (this build)', start(KIOSK_CLI), isReady],
      ...(before ? [[`\`kiosk start\`, spawn → ready (${before})`, start(before), isReady] as [string, string[], (l: string) => boolean]] : []),
      ['typebox + ajv imported alone, spawn → exit', ['--input-type=module', '-e', "await import('typebox'); await import('ajv');"]],
      ['bare `node -e 0`, spawn → exit (floor)', ['-e', '0']],
    ];
    const samples = commands.map((): Sample[] => []);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, [, args, ready]] of commands.entries()) samples[i]!.push(await sample(args, ready));
    }
    const floor = median(samples[commands.length - 1]!.map((s) => s.wallMs));
    const rows = commands.map(([name], i) => {
      const wall = median(samples[i]!.map((s) => s.wallMs));
      const cpu = median(samples[i]!.map((s) => s.cpuMs));
      return `| ${name} | ${wall.toFixed(0)} | ${Number.isNaN(cpu) ? '' : cpu.toFixed(0)} | ${(wall - floor).toFixed(0)} |`;
    });
    return [
      `Medians of ${ROUNDS} alternating rounds; CPU is the kiosk process's own user + system time at the ready event.`,
      '',
      '| command | wall ms | CPU ms | wall − floor ms |',
      '| --- | ---: | ---: | ---: |',
      ...rows,
      '',
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
