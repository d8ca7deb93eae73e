/**
 * The kiosk draining its outbox: 10,000 pending redemptions in a real kiosk
 * ledger, uploaded by the sync worker's own drain (sync/uplink/drain.ts:
 * signed requests, verified answers, one ledger transaction per batch) to
 * the service on loopback; wall time, requests, rows per second, beside a
 * plain multi-row INSERT of as many rows into the same table in the same
 * run, on PGlite and PostgreSQL. Then the kiosk's memory: `kiosk start`
 * with 10,000 pending (its peak RSS while its worker drains them) beside
 * the same kiosk with nothing pending. Last, one redemption at a time as a
 * counter makes them: from its commit in the kiosk ledger to the platform's
 * signed answer committed back (the sync worker woken by the commit, as the
 * service wakes it on every verdict), beside a GET of the health route (HTTP
 * and one database round trip) on the same service.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadHome } from '../device/home.js';
import { openHomeLedger } from '../device/home-ledger.js';
import { SqliteLedger } from '../device/ledger/sqlite-ledger.js';
import { silentLogger } from '../device/logger.js';
import { memoryLogger } from '../platform/service/logger.js';
import { startService, type RunningService } from '../platform/service/server.js';
import { enroll } from '../provisioning/enroll.js';
import { loadPlatform } from '../provisioning/store/load.js';
import { clientFor } from '../sync/terminal-state.js';
import { httpTransport } from '../sync/transport/http.js';
import { drain } from '../sync/uplink/drain.js';
import { SyncWorker } from '../sync/worker.js';
import { parseConfig } from '../device/config.js';
import { onEachEngine } from './engines.js';
import { plainInsert, registerCoupons } from './sync.js';

export const title = 'Kiosk sync: draining 10,000 pending redemptions';

const ROWS = 10_000;
const BATCH = 500;
const MERCHANT = 'shop-00042';
const KIOSK_CLI = path.resolve('dist/device/cli/kiosk.js');

interface Row {
  label: string;
  rows: number;
  ms: number;
  requests: number | null;
}

async function enrolledHome(s: RunningService, dir: string): Promise<{ home: string; platformId: string; terminalId: string }> {
  const token = readFileSync(s.adminTokenFile, 'utf8').trim();
  const r = await fetch(`${s.url}/v1/admin/enrollment-tokens`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ merchantId: MERCHANT, branchId: 'b-1' }) });
  const t = (await r.json()) as { token: string; platformKid: string };
  const home = path.join(dir, 'home');
  const endpoint = { url: s.url, tls: { mode: 'system' as const } };
  const http = httpTransport(endpoint, { logger: silentLogger() });
  try {
    await enroll({ home, endpoint, token: t.token, expectPlatformKid: t.platformKid, device: { name: 'bench', software: 'bench' } }, { exchange: http.exchange, logger: silentLogger() });
  } finally {
    await http.close();
  }
  const p = loadPlatform(home, 'bench', { credentials: undefined });
  return { home, platformId: p.platformId, terminalId: p.record.terminalId };
}

/** A service in `dir` (PGlite, or PostgreSQL at `databaseUrl`) with the bench merchant and its branch, and a kiosk home enrolled with it. */
async function serviceWithKiosk(dir: string, databaseUrl?: string): Promise<{ s: RunningService; k: { home: string; platformId: string; terminalId: string } }> {
  const s = await startService({ dataDir: path.join(dir, 'data'), host: '127.0.0.1', port: 0, logger: memoryLogger('warn').logger, platformId: 'bench', ...(databaseUrl ? { databaseUrl } : {}) });
  try {
    const token = readFileSync(s.adminTokenFile, 'utf8').trim();
    for (const [route, body] of [['/merchants', { merchantId: MERCHANT }], [`/merchants/${MERCHANT}/branches`, { branchId: 'b-1' }]] as const) {
      await fetch(`${s.url}/v1/admin${route}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    }
    return { s, k: await enrolledHome(s, dir) };
  } catch (err) {
    await s.stop();
    throw err;
  }
}

/** ctis redeemed in the kiosk's ledger (setting up: one transaction, synchronous=OFF), then the file closed. */
function fillPending(home: string, k: { platformId: string; terminalId: string }, ctis: string[], at: number): void {
  const loaded = loadHome(home);
  const file = openHomeLedger(loaded.paths, loaded.config, { logger: silentLogger() });
  const dbPath = file.file;
  file.close();
  const db = new Database(dbPath);
  try {
    db.pragma('synchronous = OFF');
    const ledger = new SqliteLedger(db, dbPath, silentLogger());
    db.transaction(() => {
      for (const [i, ctiHex] of ctis.entries()) {
        ledger.redeem({ platformId: k.platformId, ctiHex, serial: ctiHex.slice(0, 24).toUpperCase(), product: 'sku-778812', quantity: 2, merchantId: MERCHANT, consumer: 'u-83920117', iat: 1, exp: 2_000_000_000, at: at + i, terminalId: k.terminalId, textHash: 'ab'.repeat(32) });
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

async function engine(name: string, databaseUrl: string | undefined): Promise<Row[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coupon-bench-drain-'));
  const { s, k } = await serviceWithKiosk(dir, databaseUrl);
  try {
    const [base, pending] = [await registerCoupons(s, ROWS), await registerCoupons(s, ROWS)];
    const at = Date.now() - 600_000;
    fillPending(k.home, k, pending, at);
    const plain = await plainInsert(s.db, k.terminalId, 'b-1', base, new Date(at));
    const loaded = loadHome(k.home);
    const ledger = openHomeLedger(loaded.paths, loaded.config, { logger: silentLogger() });
    const client = clientFor(() => loadPlatform(k.home, k.platformId, { credentials: undefined }), { logger: silentLogger() });
    try {
      const start = performance.now();
      const r = await drain({ platformId: k.platformId, self: loadPlatform(k.home, k.platformId, { credentials: undefined }).record, ledger, client, batchRecords: BATCH, timeoutMs: 60_000, now: Date.now, logger: silentLogger() });
      const ms = performance.now() - start;
      if (r.sent !== ROWS || ledger.sync.counts(k.platformId).pending !== 0) throw new Error(`drain left work: ${JSON.stringify(r)}`);
      return [
        { label: `${name}: plain multi-row INSERT (${BATCH} rows a statement)`, rows: ROWS, ms: plain.ms, requests: null },
        { label: `${name}: the kiosk's drain (${BATCH} a request; signed, verified, answers committed to the kiosk ledger)`, rows: ROWS, ms, requests: r.requests },
      ];
    } finally {
      await client.close();
      ledger.close();
    }
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `kiosk start` on the home: its peak RSS (VmHWM) until nothing is pending, KiB. */
async function startRss(home: string, ledgerFile: string, minMs = 1500): Promise<{ peakKiB: number; ms: number }> {
  const child = spawn(process.execPath, [KIOSK_CLI, 'start', '--home', home, '--simulate', '--display', 'none'], { stdio: ['pipe', 'ignore', 'ignore'], env: { ...process.env, KIOSK_LOG_LEVEL: 'warn' } });
  const started = performance.now();
  const pendingNow = (): number => {
    const db = new Database(ledgerFile, { readonly: true });
    try {
      return Number(db.prepare('SELECT pending_upload FROM tally WHERE id = 1').pluck().get());
    } finally {
      db.close();
    }
  };
  try {
    await new Promise((r) => setTimeout(r, 1500));
    for (let i = 0; i < 600 && pendingNow() > 0; i++) await new Promise((r) => setTimeout(r, 100));
    const ms = performance.now() - started;
    // the same time alive for both figures: V8 grows its heap with time as well as with work
    await new Promise((r) => setTimeout(r, Math.max(0, minMs - ms)));
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return { peakKiB: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN), ms };
  } finally {
    child.stdin.end();
    await new Promise((r) => child.on('exit', r));
  }
}

async function memory(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coupon-bench-rss-'));
  const { s, k } = await serviceWithKiosk(dir);
  try {
    fillPending(k.home, k, await registerCoupons(s, ROWS), Date.now() - 600_000);
    const busy = await startRss(k.home, ledgerPathOf(k.home));
    const idle = await startRss(k.home, ledgerPathOf(k.home), busy.ms);
    const mib = (kib: number) => (kib / 1024).toFixed(1);
    return ['| kiosk start (simulated hardware, sync worker on) | peak RSS MiB | time until nothing pending, s |', '| --- | ---: | ---: |',
      `| nothing pending (the same home afterwards, alive as long) | ${mib(idle.peakKiB)} | - |`,
      `| ${ROWS.toLocaleString('en-US')} pending, drained by its worker | ${mib(busy.peakKiB)} | ${(busy.ms / 1000).toFixed(1)} (includes start-up) |`].join('\n');
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const ONE_BY_ONE = 40;

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

/** Commit → the platform's answer committed, one redemption at a time through a running sync worker; the health route as the floor. */
async function oneByOne(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coupon-bench-one-'));
  const { s, k } = await serviceWithKiosk(dir);
  try {
    const ctis = await registerCoupons(s, ONE_BY_ONE);
    const loaded = loadHome(k.home);
    const ledger = openHomeLedger(loaded.paths, loaded.config, { logger: silentLogger() });
    // idle checks 10 minutes apart: every upload below is the wake's
    const config = { ...parseConfig({}, { home: k.home }).sync, idleCheckMs: 600_000 };
    const worker = new SyncWorker({ home: k.home, ledger, config, logger: silentLogger(), now: Date.now, load: (h, id) => loadPlatform(h, id, { credentials: undefined }) });
    const sent: number[] = [];
    const floor: number[] = [];
    try {
      worker.start();
      const link = worker.platforms()[0]!;
      await new Promise<void>((resolve) => link.once('change', () => resolve())); // the first contact
      for (const ctiHex of ctis) {
        const h0 = performance.now();
        await (await fetch(`${s.url}/v1/health`)).arrayBuffer();
        floor.push(performance.now() - h0);
        const answered = new Promise((resolve) => link.once('uploaded', resolve));
        const r = ledger.redeem({ platformId: k.platformId, ctiHex, serial: ctiHex.slice(0, 24).toUpperCase(), product: 'sku-778812', quantity: 2, merchantId: MERCHANT, consumer: 'u-83920117', iat: 1, exp: 2_000_000_000, at: Date.now(), terminalId: k.terminalId, textHash: 'ab'.repeat(32) });
        const t0 = performance.now();
        if (!r.ok) throw new Error('bench: not redeemed');
        worker.wake();
        await answered;
        sent.push(performance.now() - t0);
      }
      if (ledger.sync.counts(k.platformId).pending !== 0) throw new Error('bench: uploads left pending');
    } finally {
      await worker.stop();
      ledger.close();
    }
    const ms = (x: number) => x.toFixed(1);
    return [
      '| one redemption at a time (PGlite service on loopback) | median ms | 95th percentile ms | ratio (medians) |',
      '| --- | ---: | ---: | ---: |',
      `| floor: GET /v1/health (HTTP and one database round trip) | ${ms(pct(floor, 0.5))} | ${ms(pct(floor, 0.95))} | 1.00 |`,
      `| commit in the kiosk ledger → the platform's signed answer committed back (worker woken by the commit) | ${ms(pct(sent, 0.5))} | ${ms(pct(sent, 0.95))} | ${(pct(sent, 0.5) / pct(floor, 0.5)).toFixed(2)} |`,
    ].join('\n');
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function ledgerPathOf(home: string): string {
  return loadHome(home).config.ledgerPath;
}

export async function run(): Promise<string> {
  const { rows, note } = await onEachEngine(engine);
  const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const lines = ['| how | rows | requests | wall ms | rows/s | ratio to plain INSERT |', '| --- | ---: | ---: | ---: | ---: | ---: |'];
  for (let i = 0; i < rows.length; i += 2) {
    const base = rows[i]!.rows / rows[i]!.ms;
    for (const r of rows.slice(i, i + 2)) lines.push(`| ${r.label} | ${fmt(r.rows)} | ${r.requests === null ? '-' : fmt(r.requests)} | ${fmt(r.ms)} | ${fmt((r.rows / r.ms) * 1000)} | ${fmt(r.rows / r.ms / base, 2)} |`);
  }
  return `${ROWS.toLocaleString('en-US')} redemptions pending in a kiosk ledger (WAL, synchronous=FULL), drained to the service on loopback by
the worker's drain: ${BATCH} records a request in seq order, each request signed (Ed25519, RFC 9421), each answer's signature verified, the
per-record answers written to the kiosk ledger in one transaction per batch. The baseline inserts as many rows into the platform's
redemptions table with plain multi-row INSERTs on the service's own connection, in the same run.
Load average at the end: ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores.

${lines.join('\n')}
${note}
Kiosk memory with ${ROWS.toLocaleString('en-US')} pending (PGlite service; the kiosk process never loads the platform's packages):

${await memory()}

Online, one at a time: ${ONE_BY_ONE} redemptions, each committed in the kiosk ledger (synchronous=FULL) and the worker woken, as
the service does on every verdict; timed until the platform's signed answer is verified and committed to the kiosk
ledger. Idle checks are 10 minutes apart, so each upload is the wake's.

${await oneByOne()}

Reproduce: \`npm run build && node --expose-gc dist/bench/run.js kiosk-drain\` (COUPON_TEST_PG_URL for the PostgreSQL rows).
The tests check that a commit's wake sends the redemption (idle checks 10 minutes apart), not how fast: that is this table's.
`;
}
