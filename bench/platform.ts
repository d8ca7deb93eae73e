/**
 * Platform service: coupons issued per second through the service (signed
 * with the current platform key, encrypted to the merchant's current key,
 * registered in the database, over HTTP on loopback) beside the offline
 * issuer (`issueCoupon` with the same keys, nothing stored) in the same run;
 * on PGlite and on PostgreSQL (COUPON_TEST_PG_URL, or a throwaway cluster
 * from Debian's binaries, as the tests do).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { issueCoupon } from '../coupon/index.js';
import { onEachEngine } from './engines.js';
import { memoryLogger } from '../platform/service/logger.js';
import { recipientOf, signerOf } from '../platform/service/keys.js';
import { startService, type RunningService } from '../platform/service/server.js';

export const title = 'Platform service: coupons issued per second';

const MEASURE_MS = 4000;
const CONCURRENCY = 16;
const BODY = JSON.stringify({ aud: 'shop-00042', sub: 'u-83920117', product: 'sku-778812', quantity: 2, title: 'Family Combo Meal x2' });

interface Figure {
  label: string;
  perSec: number;
  p50ms: number;
  p99ms: number;
  rows?: number;
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function offline(s: RunningService): Promise<Figure> {
  const signer = signerOf((await s.store.validSigningKeys())[0]!);
  const recipient = recipientOf(await s.store.currentMerchantKey('shop-00042'));
  const lat: number[] = [];
  const claims = { iss: 'p', sub: 'u-83920117', aud: 'shop-00042', product: 'sku-778812', quantity: 2, title: 'Family Combo Meal x2' };
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < MEASURE_MS) {
    const t = performance.now();
    const iat = Math.floor(Date.now() / 1000);
    issueCoupon({ ...claims, iat, exp: iat + 86400, cti: randomBytes(12) }, { signer, recipient });
    lat.push(performance.now() - t);
    n++;
  }
  lat.sort((a, b) => a - b);
  return { label: 'offline issuer (issueCoupon, nothing stored)', perSec: (n * 1000) / (performance.now() - start), p50ms: pct(lat, 50), p99ms: pct(lat, 99) };
}

/** `route` on a keep-alive pool, CONCURRENCY requests in flight, for MEASURE_MS. */
async function viaService(s: RunningService, token: string, label: string, route: 'issue' | 'health'): Promise<Figure> {
  const pool = new Pool(s.url, { connections: CONCURRENCY, pipelining: 1 });
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const req = route === 'issue' ? { path: '/v1/admin/coupons', method: 'POST' as const, headers, body: BODY } : { path: '/v1/health', method: 'GET' as const };
  const lat: number[] = [];
  const issueOne = async () => {
    const t = performance.now();
    const r = await pool.request(req);
    const text = await r.body.text();
    if (r.statusCode >= 300) throw new Error(`${req.path} failed: ${r.statusCode} ${text}`);
    lat.push(performance.now() - t);
  };
  for (let i = 0; i < 50; i++) await issueOne(); // warm-up: key parsing, JIT, connections
  lat.length = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() - start < MEASURE_MS) await issueOne();
  }));
  const elapsed = performance.now() - start;
  await pool.close();
  lat.sort((a, b) => a - b);
  return { label, perSec: (lat.length * 1000) / elapsed, p50ms: pct(lat, 50), p99ms: pct(lat, 99), rows: lat.length };
}

async function engine(name: string, databaseUrl: string | undefined): Promise<Figure[]> {
  const data = mkdtempSync(path.join(os.tmpdir(), 'coupon-bench-platform-'));
  const s = await startService({ dataDir: data, host: '127.0.0.1', port: 0, logger: memoryLogger('warn').logger, platformId: 'bench', ...(databaseUrl ? { databaseUrl } : {}) });
  try {
    const token = (await import('node:fs')).readFileSync(s.adminTokenFile, 'utf8').trim();
    const add = await fetch(`${s.url}/v1/admin/merchants`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ merchantId: 'shop-00042' }) });
    if (add.status !== 201) throw new Error(await add.text());
    const base = await offline(s);
    const service = await viaService(s, token, `through the service on ${name} (HTTP, ${CONCURRENCY} in flight)`, 'issue');
    const floor = await viaService(s, token, `HTTP floor on ${name}: GET /v1/health (one query)`, 'health');
    return [{ ...base, label: `${base.label}, ${name} run` }, service, floor];
  } finally {
    await s.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

function table(rows: Figure[]): string {
  const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const lines = ['| issuer | coupons/s | p50 ms | p99 ms | ratio to offline |', '| --- | ---: | ---: | ---: | ---: |'];
  for (let i = 0; i < rows.length; i += 3) {
    const [off, svc, floor] = [rows[i]!, rows[i + 1]!, rows[i + 2]!];
    lines.push(`| ${off.label} | ${fmt(off.perSec)} | ${fmt(off.p50ms, 3)} | ${fmt(off.p99ms, 3)} | 1.00 |`);
    lines.push(`| ${svc.label} | ${fmt(svc.perSec)} | ${fmt(svc.p50ms, 2)} | ${fmt(svc.p99ms, 2)} | ${fmt(svc.perSec / off.perSec, 2)} |`);
    lines.push(`| ${floor.label} | ${fmt(floor.perSec)} | ${fmt(floor.p50ms, 2)} | ${fmt(floor.p99ms, 2)} | ${fmt(floor.perSec / off.perSec, 2)} |`);
  }
  return lines.join('\n');
}

export async function run(): Promise<string> {
  const { rows, note: pgNote } = await onEachEngine(engine);
  return `Each coupon through the service is one POST /v1/admin/coupons on a keep-alive connection: the newest valid signing key,
the merchant's current key and the platform id are read from the database, the coupon is signed and encrypted, and its row
is inserted before the answer. The offline issuer does the same crypto with the same keys and stores nothing; each engine's
pair is measured in the same run, ${MEASURE_MS} ms each after a warm-up; the load generator (undici, ${CONCURRENCY} keep-alive
connections) runs in the service's process, as does PGlite (one connection, statements serialised); PostgreSQL is a local
server through a pool of 10 (COUPON_TEST_PG_URL, else the tests' throwaway cluster, which runs with fsync off). The HTTP floor is the health route on the same connections: what a request costs before any
issuing, so the issuing row's distance from it is the service's own work (3 statements: the admin token; the platform
id, newest signing key and merchant key in one; the insert).
Load average at the end of this section: ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores (other work on the machine counts too).

${table(rows)}
${pgNote}`;
}
