/**
 * Platform sync: recorded rows per second. Redemptions uploaded through the
 * service (POST /v1/terminal/redemptions, 500 records per request, signed by a
 * test kiosk on loopback that checks every signed answer) beside a plain
 * multi-row INSERT of the same number of rows into the same table, on the
 * same database connection, in the same run; on PGlite and PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UPLOAD_MAX_RECORDS } from '../protocol/sync.js';
import { onEachEngine } from './engines.js';
import { memoryLogger } from '../platform/service/logger.js';
import { startService, type RunningService } from '../platform/service/server.js';
import type { Db } from '../platform/store/db.js';
import { platformKeys } from '../test/platform/service/harness.js';
import { TestTerminal, socketTransport } from '../test/platform/service/terminal-client.js';

export const title = 'Platform sync: recorded rows per second';

const ROWS = 10_000;
const BATCH = UPLOAD_MAX_RECORDS;
const MERCHANT = 'shop-00042';
const FACTS = { product: 'sku-778812', quantity: 2, consumer: 'u-83920117' };

export interface Figure {
  label: string;
  rows: number;
  ms: number;
  batchMs: number[];
}

const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? NaN;

/** ROWS coupons of the merchant, registered in multi-row inserts (setting up, not measured). */
export async function registerCoupons(s: RunningService, n: number): Promise<string[]> {
  const { kid: merchantKid } = await s.store.currentMerchantKey(MERCHANT);
  const signerKid = (await s.store.validSigningKeys())[0]!.kid;
  const ctis = Array.from({ length: n }, () => randomBytes(12).toString('hex'));
  for (let i = 0; i < n; i += 1000) {
    const part = ctis.slice(i, i + 1000);
    await s.db.query(
      `INSERT INTO coupons (cti_hex, merchant_id, product, quantity, consumer, iat, exp, merchant_kid, signer_kid)
       SELECT x, $2, $3, $4, $5, now() - interval '1 hour', now() + interval '30 days', $6, $7 FROM unnest($1::text[]) x`,
      [part, MERCHANT, FACTS.product, FACTS.quantity, FACTS.consumer, merchantKid, signerKid],
    );
  }
  return ctis;
}

/** The baseline: the same rows as plain multi-row INSERTs, BATCH rows a statement, each its own transaction. */
export async function plainInsert(db: Db, terminalId: string, branchId: string, ctis: string[], at: Date): Promise<Figure> {
  const batchMs: number[] = [];
  const start = performance.now();
  for (let i = 0; i < ctis.length; i += BATCH) {
    const part = ctis.slice(i, i + BATCH);
    const values = part.map((_, j) => `($${j * 3 + 1}, $${j * 3 + 2}, $${j * 3 + 3}, '${MERCHANT}', '${branchId}', now(), true, 'upload')`).join(', ');
    const t = performance.now();
    await db.query(`INSERT INTO redemptions (cti_hex, terminal_id, scanned_at, merchant_id, branch_id, received_at, offline, source) VALUES ${values}`, part.flatMap((c) => [c, terminalId, at]));
    batchMs.push(performance.now() - t);
  }
  return { label: `plain multi-row INSERT (${BATCH} rows a statement, autocommit)`, rows: ctis.length, ms: performance.now() - start, batchMs };
}

async function uploads(t: TestTerminal, ctis: string[], at: number, label: string, expect: string): Promise<Figure> {
  const batchMs: number[] = [];
  const start = performance.now();
  for (let i = 0; i < ctis.length; i += BATCH) {
    const records = ctis.slice(i, i + BATCH).map((ctiHex) => ({ kind: 'redeem', ctiHex, scannedAt: at, offline: true, ...FACTS }));
    const tt = performance.now();
    const a = await t.request('POST', '/v1/terminal/redemptions', { records });
    batchMs.push(performance.now() - tt);
    const results = a.body['results'] as Array<{ result: string }> | undefined;
    if (a.status !== 200 || !a.verdict.ok || !results?.every((r) => r.result === expect)) throw new Error(`upload failed: ${a.status} ${a.text.slice(0, 300)}`);
  }
  return { label, rows: ctis.length, ms: performance.now() - start, batchMs };
}

async function engine(name: string, databaseUrl: string | undefined): Promise<Figure[]> {
  const data = mkdtempSync(path.join(os.tmpdir(), 'coupon-bench-sync-'));
  const s = await startService({ dataDir: data, host: '127.0.0.1', port: 0, logger: memoryLogger('warn').logger, platformId: 'bench', ...(databaseUrl ? { databaseUrl } : {}) });
  try {
    const token = readFileSync(s.adminTokenFile, 'utf8').trim();
    const admin = async (route: string, body: unknown) => {
      const r = await fetch(`${s.url}/v1/admin${route}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (r.status !== 201) throw new Error(`${route}: ${await r.text()}`);
      return (await r.json()) as Record<string, unknown>;
    };
    await admin('/merchants', { merchantId: MERCHANT });
    await admin(`/merchants/${MERCHANT}/branches`, { branchId: 'b-1' });
    const kiosk = new TestTerminal(socketTransport(s.url));
    const enrolled = await kiosk.enroll((await admin('/enrollment-tokens', { merchantId: MERCHANT, branchId: 'b-1' }))['token'] as string, await platformKeys(s.store));
    if (enrolled.status !== 200) throw new Error(enrolled.text);
    const [warm, base, service] = [await registerCoupons(s, BATCH), await registerCoupons(s, ROWS), await registerCoupons(s, ROWS)];
    const at = Date.now() - 60_000;
    await uploads(kiosk, warm, at, 'warm-up', 'recorded'); // JIT, key parsing, connections
    const plain = await plainInsert(s.db, kiosk.enrollment!.terminalId, 'b-1', base, new Date(at));
    const up = await uploads(kiosk, service, at, `uploads through the service (${BATCH} records a request, signed, answers verified)`, 'recorded');
    const again = await uploads(kiosk, service, at, 'the same uploads again (every record a duplicate)', 'duplicate');
    return [plain, up, again].map((f) => ({ ...f, label: `${name}: ${f.label}` }));
  } finally {
    await s.stop();
    rmSync(data, { recursive: true, force: true });
  }
}

function table(rows: Figure[]): string {
  const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  const lines = ['| how | rows | rows/s | p50 ms a batch | p99 ms a batch | ratio to plain INSERT |', '| --- | ---: | ---: | ---: | ---: | ---: |'];
  for (let i = 0; i < rows.length; i += 3) {
    const base = rows[i]!.rows / rows[i]!.ms;
    for (const f of rows.slice(i, i + 3)) {
      const perMs = f.rows / f.ms;
      lines.push(`| ${f.label} | ${fmt(f.rows)} | ${fmt(perMs * 1000)} | ${fmt(pct(f.batchMs, 50), 1)} | ${fmt(pct(f.batchMs, 99), 1)} | ${fmt(perMs / base, 2)} |`);
    }
  }
  return lines.join('\n');
}

export async function run(): Promise<string> {
  const { rows, note: pgNote } = await onEachEngine(engine);
  return `${ROWS.toLocaleString('en-US')} redemptions of one terminal, uploaded one request after the other as a kiosk drains its outbox:
each request is signed by the test kiosk (RFC 9421, Ed25519), authenticated by the service (signature, digest, nonce insert), validated,
recorded in one transaction (the coupons and revocations read, one multi-row INSERT … ON CONFLICT DO NOTHING in coupon order), answered
with one result per record and signed; the kiosk verifies the answer's signature before the next request. The baseline inserts the same
number of rows into the same table with plain multi-row INSERTs of ${BATCH} rows, each its own transaction, on the service's own
database connection (PGlite in the process; PostgreSQL through its pool: COUPON_TEST_PG_URL, else the tests' throwaway cluster, which
runs with fsync off). The same indexes and constraints hold in both; the ratio is the cost of the protocol and of the checks.
Load average at the end of this section: ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores (other work on the machine counts too).

${table(rows)}
${pgNote}`;
}
