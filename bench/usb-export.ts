/**
 * USB export of 100,000 redemptions onto a mounted file system (an ext4 image
 * on a loop device when run as root, else a directory on the same disk as the
 * temp dir): wall time, RSS growth and the longest event-loop block, beside
 * `cp` + `sync` of a file of the same size onto the same file system, timed
 * in the same run (the floor no exporter can beat).
 *
 * Five exports (each from its own copy of the filled ledger, into its own
 * folder) alternate with five floors, so that both meet the same moods of
 * the disk; the medians are compared, and the first export (a process that
 * never exported before) is shown beside them.
 *
 * The ledger is the one a running kiosk has: its idle time made the next
 * export's chunks ahead (sync/export/chunks-ahead.ts). Exports of the same
 * ledger without them (a ledger the service never had idle, the first export
 * after the upgrade) are measured beside, against the same floor.
 *
 * Then the same at the write speed of real sticks (as root, with the block-IO
 * controller holding the loop device's writes to a stick's bandwidth): there
 * the stick, not the CPU, sets the pace, as it does at a counter.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { generateKeyPair, kidOf, toHex } from '../coupon/index.js';
import { openLedger } from '../device/ledger/index.js';
import { silentLogger } from '../device/logger.js';
import { systemClock } from '../drivers/clock/port.js';
import { ChunksAhead } from '../sync/export/chunks-ahead.js';
import { DEFAULT_EXPORTER_OPTIONS, Exporter } from '../sync/export/exporter.js';
import { terminalSigner } from '../sync/export/signer.js';
import { mountProblem, TestStick } from '../test/support/mounts.js';
import { fillLedger } from './ledger-fill.js';
import { throttleProblem, withWriteLimit } from './io-throttle.js';

export const title = 'USB export';

const N = 100_000;
const PLATFORM = 'demo-platform';

interface Measured {
  wallMs: number;
  /** until the batch was read back from the stick and committed; the rest is marking the ledger rows */
  committedMs: number;
  rssGrowthMb: number;
  longestBlockMs: number;
  dataBytes: number;
  dataFile: string;
}

/** The export, with RSS sampled every 5 ms and the longest gap between 5-ms ticks as the event-loop block. */
async function exportOnce(ledgerPath: string, root: string, folder: string): Promise<Measured> {
  const key = generateKeyPair('ed25519');
  const signer = terminalSigner({ platformId: PLATFORM, terminalId: 'bench-1', merchantId: 'm', branchId: 'b', ...key, kid: toHex(kidOf(key.publicKey)) });
  const ledger = openLedger(ledgerPath, { logger: silentLogger() });
  let committedAt = 0;
  const hook = (phase: string): void => {
    if (phase === 'commit') committedAt = performance.now();
  };
  const exporter = new Exporter({ ledger, signers: () => ({ ok: true, signer }), clock: systemClock, logger: silentLogger(), hook });
  global.gc?.();
  const rss0 = process.memoryUsage.rss();
  let rssMax = rss0;
  let longest = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last - 5);
    last = now;
    rssMax = Math.max(rssMax, process.memoryUsage.rss());
  }, 5);
  const hist = monitorEventLoopDelay({ resolution: 1 });
  hist.enable();
  const t0 = performance.now();
  const r = await exporter.run({ root, stillThere: () => true }, { folder, createFolder: true });
  const wallMs = performance.now() - t0;
  hist.disable();
  clearInterval(ticker);
  ledger.close();
  if (r.state !== 'done' || r.count !== N) throw new Error(`bench export: ${JSON.stringify(r).slice(0, 300)}`);
  const dataFile = r.batches[0]!.data;
  return {
    wallMs,
    committedMs: committedAt - t0,
    rssGrowthMb: (rssMax - rss0) / 2 ** 20,
    longestBlockMs: Math.max(longest, hist.max / 1e6 - 1),
    dataBytes: statSync(dataFile).size,
    dataFile,
  };
}

/**
 * cp + sync of a file of the same size onto the same file system: the floor.
 * Timed by the shell around the two commands, so that starting the shell
 * from this (large) process is not counted in the floor's favour.
 */
function copyFloor(source: string, root: string): number {
  const target = path.join(root, 'floor.bin');
  const ns = execFileSync('sh', ['-c', 's=$(date +%s%N); cp "$1" "$2" && sync "$2"; e=$(date +%s%N); echo $((e - s))', 'sh', source, target], { encoding: 'utf8' });
  rmSync(target, { force: true });
  return Number(ns) / 1e6;
}

const RUNS = 5;
const COLD_RUNS = 3;
/** write bandwidths of real sticks: a USB 2.0 stick, and a USB 3 stick in a Raspberry Pi 4's USB 3 port */
const STICK_SPEEDS = [{ label: 'USB 2.0 stick', mbPerS: 20 }, { label: 'USB 3 stick', mbPerS: 60 }] as const;
const STICK_RUNS = 3;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

interface Bench {
  dir: string;
  /** the filled ledger with its chunks made ahead, as the service leaves it */
  filled: string;
  /** the same without chunks made ahead */
  cold: string;
  root: string;
  /** a file the size of the data file, for the floors */
  source?: string;
  n: number;
}

/** Makes every chunk the service would have made ahead in idle time, with the service's own ChunksAhead. */
async function makeChunksAhead(file: string): Promise<void> {
  const ledger = openLedger(file, { logger: silentLogger() });
  try {
    const { chunkRecords, maxBatchRecords } = DEFAULT_EXPORTER_OPTIONS;
    const ahead = new ChunksAhead({ ledger, logger: silentLogger(), busy: () => false, options: { chunkRecords, maxBatchRecords, perTick: 1000 } });
    while ((await ahead.tick()) > 0);
  } finally {
    ledger.close();
  }
}

/** `runs` exports alternating with as many floors, onto `b.root`; `cold`: from the ledger without chunks made ahead. */
async function pairs(b: Bench, runs: number, tag: string, cold = false): Promise<{ exports: Measured[]; floors: number[] }> {
  const exports: Measured[] = [];
  const floors: number[] = [];
  for (let i = 0; i < runs; i++, b.n++) {
    const ledgerPath = path.join(b.dir, `ledger-${b.n}.sqlite`);
    copyFileSync(cold ? b.cold : b.filled, ledgerPath);
    // the copy is written without fsync: flush it now, or the export's first fsync of the ledger pays for it
    execFileSync('sync', [ledgerPath]);
    const m = await exportOnce(ledgerPath, b.root, `coupon-export-${b.n}`);
    rmSync(ledgerPath, { force: true });
    exports.push(m);
    if (process.env.BENCH_DEBUG) console.error(`${tag} export ${i}: ${m.wallMs.toFixed(0)} ms`);
    if (b.source === undefined) {
      b.source = path.join(b.dir, 'source.bin');
      execFileSync('cp', [m.dataFile, b.source]);
    }
    floors.push(copyFloor(b.source, b.root));
    if (process.env.BENCH_DEBUG) console.error(`${tag} floor ${i}: ${floors.at(-1)!.toFixed(0)} ms`);
    rmSync(path.join(b.root, `coupon-export-${b.n}`), { recursive: true, force: true });
  }
  return { exports, floors };
}

export async function run(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-bench-usb-'));
  let stick: TestStick | undefined;
  try {
    const b: Bench = { dir, filled: path.join(dir, 'filled.sqlite'), cold: path.join(dir, 'cold.sqlite'), root: path.join(dir, 'stick'), n: 0 };
    fillLedger(b.cold, N);
    copyFileSync(b.cold, b.filled);
    await makeChunksAhead(b.filled);
    const where = mountProblem('ext4') === undefined ? 'an ext4 image on a loop device' : `a directory in ${os.tmpdir()} (not root: no loop mount)`;
    if (mountProblem('ext4') === undefined) {
      stick = TestStick.create('ext4', dir, 'stick', b.root, 512).mount();
    } else {
      mkdirSync(b.root);
    }
    const free = await pairs(b, RUNS, 'page-cache speed');
    const cold = await pairs(b, COLD_RUNS, 'no chunks made ahead', true);
    const atStickSpeed: string[] = [];
    const problem = stick?.device === undefined ? 'no loop device (not root)' : throttleProblem();
    for (const speed of problem === undefined ? STICK_SPEEDS : []) {
      const r = await withWriteLimit(stick!.device!, speed.mbPerS * 1e6, () => pairs(b, STICK_RUNS, speed.label));
      atStickSpeed.push(stickRow(speed, r.exports, median(r.floors)));
    }
    return table(free.exports, median(free.floors), where, cold) + stickTable(atStickSpeed, problem);
  } finally {
    stick?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
}

function stickRow(speed: (typeof STICK_SPEEDS)[number], runs: Measured[], floorMs: number): string {
  const wall = median(runs.map((r) => r.wallMs));
  const ratio = wall / floorMs;
  return `| ${speed.label}: writes held to ${speed.mbPerS} MB/s | ${wall.toFixed(0)} ms | ${floorMs.toFixed(0)} ms | ${ratio.toFixed(2)}× | ≤ 3× — ${ratio <= 3 ? 'met' : '**missed**'} |`;
}

function stickTable(rows: string[], problem: string | undefined): string {
  const head = [
    '',
    '### At the write speed of a USB stick',
    '',
    'The same export and floor onto the same ext4 image, with the loop device\'s writes held to a stick\'s bandwidth by the',
    'kernel\'s block-IO controller (bench/io-throttle.ts; both the export and `cp` + `sync` submit their own write-back, so both',
    `are held alike). ${STICK_RUNS} exports alternating with ${STICK_RUNS} floors per speed, medians.`,
    '',
  ];
  const reproduce = ['', 'Reproduce: `npm run build && BENCH_DEBUG=1 node --expose-gc dist/bench/run.js usb-export` (as root for the loop mounts', 'and the throttled runs; BENCH_DEBUG prints every export and floor).', ''];
  if (problem !== undefined) return [...head, `Not measured in this run: ${problem}.`, ...reproduce].join('\n');
  return [...head, '| device | export (median) | cp + sync (median) | ratio | target |', '| --- | ---: | ---: | ---: | --- |', ...rows, ...reproduce].join('\n');
}

function table(runs: Measured[], floorMs: number, where: string, cold: { exports: Measured[]; floors: number[] }): string {
  const m: Measured = {
    wallMs: median(runs.map((r) => r.wallMs)),
    committedMs: median(runs.map((r) => r.committedMs)),
    rssGrowthMb: Math.max(...runs.map((r) => r.rssGrowthMb)),
    longestBlockMs: Math.max(...runs.map((r) => r.longestBlockMs)),
    dataBytes: runs[0]!.dataBytes,
    dataFile: runs[0]!.dataFile,
  };
  const first = runs[0]!;
  const ratio = m.wallMs / floorMs;
  const coldWall = median(cold.exports.map((r) => r.wallMs));
  const coldFloor = median(cold.floors);
  const met = (ok: boolean): string => (ok ? 'met' : '**missed**');
  return [
    `${N.toLocaleString('en-US')} redemptions of one platform from a ledger (WAL, synchronous=FULL) to ${where}: one batch,`,
    `${(m.dataBytes / 2 ** 20).toFixed(1)} MiB of JSON Lines, streamed 2,000 records per step (each step one BLOB out of SQLite, written while the`,
    'next is read, flushed every 4 MiB), fsync, rename, fsync of the folder, read back, committed (one update of the watermark).',
    'The ledger is the one a running kiosk has: its idle time made the chunks of the next export ahead, so each step reads',
    `a kept BLOB (ledger v5). The same export from the ledger without them (the first export after the upgrade) is the`,
    `last row, ${COLD_RUNS} exports alternating with ${COLD_RUNS} floors of their own.`,
    'The floor is `cp` + `sync` of a file of the same size onto the same file system, timed by the shell around them. Five',
    'exports, each from its own copy of the ledger, alternate with five floors; medians compared. Event-loop block: the longest gap between 5-ms timer ticks',
    'during any export (and `monitorEventLoopDelay`, whichever is larger); RSS sampled every 5 ms, growth over the RSS before',
    `the export, largest of the five. Load average at the start: ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores.`,
    '',
    '| measure | value | baseline | ratio | target |',
    '| --- | ---: | ---: | ---: | --- |',
    `| wall time (median of ${runs.length}) | ${m.wallMs.toFixed(0)} ms | ${floorMs.toFixed(0)} ms (cp + sync, median) | ${ratio.toFixed(2)}× | ≤ 3× — ${met(ratio <= 3)} |`,
    `| of which until read back and committed | ${m.committedMs.toFixed(0)} ms | | ${(m.committedMs / floorMs).toFixed(2)}× | |`,
    `| the first export of the process | ${first.wallMs.toFixed(0)} ms | | ${(first.wallMs / floorMs).toFixed(2)}× | |`,
    `| RSS growth | ${m.rssGrowthMb.toFixed(1)} MB | | | ≤ 50 MB — ${met(m.rssGrowthMb <= 50)} |`,
    `| longest event-loop block | ${m.longestBlockMs.toFixed(1)} ms | | | ≤ 50 ms — ${met(m.longestBlockMs <= 50)} |`,
    `| no chunks made ahead: wall time (median of ${cold.exports.length}) | ${coldWall.toFixed(0)} ms | ${coldFloor.toFixed(0)} ms | ${(coldWall / coldFloor).toFixed(2)}× | |`,
    `| no chunks made ahead: RSS growth, longest block | ${Math.max(...cold.exports.map((r) => r.rssGrowthMb)).toFixed(1)} MB, ${Math.max(...cold.exports.map((r) => r.longestBlockMs)).toFixed(1)} ms | | | |`,
    '',
  ].join('\n');
}
