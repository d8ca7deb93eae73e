/**
 * Sync across two `serve` processes on one PostgreSQL, over real sockets:
 * terminals racing claims and uploads of the same coupons through different
 * processes, a server killed (-9) in the middle of an upload and at random
 * moments of a stream of them, and answers lost after the platform committed.
 * Whatever happens, each redemption is on the platform exactly once.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import type { PlatformKey } from '../../coupon/types.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startCluster, type Cluster } from './serve-cluster.js';
import { TestTerminal, socketTransport, type Answer } from './service/terminal-client.js';

type Json = Record<string, unknown>;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('sync across two serve processes on one PostgreSQL', function () {
  this.timeout(180_000);
  let c: Cluster;
  let pinned: PlatformKey[];

  before(async function () {
    c = await startCluster(this);
    pinned = await c.trustedKeys();
  });
  after(async () => c?.stop());

  const terminal = async (via: number | string, branch = 'north'): Promise<TestTerminal> => {
    const t = new TestTerminal(socketTransport(typeof via === 'string' ? via : c.serves[via]!.url));
    const a = await t.enroll(await c.token(0, branch), pinned);
    assert.equal(a.status, 200, a.text);
    return t;
  };
  /** the same terminal (same keys) talking to another process or through a proxy */
  const via = (t: TestTerminal, url: string): TestTerminal => {
    const other = new TestTerminal(socketTransport(url), { sign: t.sign.privateKey, wrap: t.wrap.privateKey });
    other.trusted = t.trusted;
    other.enrollment = t.enrollment!;
    return other;
  };
  const coupons = async (n: number): Promise<string[]> => {
    const iat = new Date(Date.now() - 3600_000).toISOString();
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push((await c.admin(i % 2, 'POST', '/coupons', { aud: 'shop-1', sub: 'u-1', product: 'sku', quantity: 1, iat })).body['ctiHex'] as string);
    return out;
  };
  const facts = (ctiHex: string, scannedAt: number) => ({ ctiHex, scannedAt, product: 'sku', quantity: 1, consumer: 'u-1' });
  const redeem = (ctiHex: string, scannedAt: number) => ({ kind: 'redeem', ...facts(ctiHex, scannedAt), offline: true });
  const upload = (t: TestTerminal, records: Json[]) => t.request('POST', '/v1/terminal/redemptions', { records });
  const results = (a: Answer): string[] => {
    assert.equal(a.status, 200, a.text);
    assert.equal(a.verdict.ok, true);
    return (a.body['results'] as Json[]).map((r) => r['result'] as string);
  };
  const rowsOf = async (ctis: string[]): Promise<Map<string, number>> => {
    const r = await c.sql.query<{ cti_hex: string; n: number }>('SELECT cti_hex, count(*)::int AS n FROM redemptions WHERE cti_hex = ANY($1) GROUP BY cti_hex', [ctis]);
    return new Map(r.rows.map((x) => [x.cti_hex, x.n]));
  };
  const waitFor = async (what: string, check: () => Promise<boolean>): Promise<void> => {
    for (let i = 0; !(await check()); i++) {
      if (i > 400) assert.fail(`timed out waiting for ${what}`);
      await sleep(25);
    }
  };
  const lockWaits = async () => ((await c.sql.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'coupon-platform' AND wait_event_type = 'Lock'`)).rowCount ?? 0) > 0;

  it('two terminals claiming the same coupons through two processes: exactly one claimed each', async function () {
    const [a, b] = [await terminal(0, 'north'), await terminal(1, 'south')];
    const ctis = await coupons(20);
    const now = Date.now();
    const answers = await Promise.all(ctis.flatMap((x) => [a, b].map((t) => t.request('POST', '/v1/terminal/claims', facts(x, now)))));
    for (const [i, x] of ctis.entries()) {
      const pair = [answers[2 * i]!, answers[2 * i + 1]!].map((r) => (assert.equal(r.verdict.ok, true), r.body['result']));
      assert.deepEqual([...pair].sort(), ['already-redeemed', 'claimed'], `coupon ${x}`);
    }
    assert.deepEqual([...(await rowsOf(ctis)).values()], Array<number>(20).fill(1));
    assert.equal((await c.sql.query('SELECT 1 FROM conflicts WHERE cti_hex = ANY($1)', [ctis])).rowCount, 0, 'a refused claim is no conflict');
  });

  it('two terminals uploading the same coupons in opposite orders through two processes: one recorded, one conflict, both see it', async function () {
    const [a, b] = [await terminal(0, 'north'), await terminal(1, 'south')];
    const ctis = await coupons(30);
    const at = Date.now() - 60_000;
    const [ra, rb] = await Promise.all([upload(a, ctis.map((x) => redeem(x, at))), upload(b, [...ctis].reverse().map((x) => redeem(x, at + 1)))]);
    const [oa, ob] = [results(ra), results(rb).reverse()];
    for (const i of ctis.keys()) assert.deepEqual([oa[i], ob[i]].sort(), ['conflict', 'recorded'], `coupon ${ctis[i]}`);
    assert.deepEqual([...(await rowsOf(ctis)).values()], Array<number>(30).fill(1));
    for (const [t, other] of [[a, 1], [b, 0]] as const) {
      const s = await via(t, c.serves[other]!.url).request('GET', '/v1/terminal/state?conflictsAfter=0');
      assert.equal(s.verdict.ok, true);
      const mine = (s.body['conflicts'] as Json[]).filter((n) => ctis.includes(n['ctiHex'] as string));
      assert.equal(mine.length, 30, 'each terminal sees every conflict it is part of, through either process');
    }
  });

  it('kill -9 of the server mid-upload: nothing half-recorded; the retry records each once, again all duplicates', async function () {
    const t = await terminal(0);
    const ctis = await coupons(5);
    const records = ctis.map((x) => redeem(x, Date.now() - 10_000));
    const blocker = new pg.Client({ connectionString: c.db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE redemptions IN SHARE MODE');
    const pending = upload(t, records).catch((err: unknown) => err);
    await waitFor('the upload to wait on the redemptions insert', lockWaits);
    await c.serves[0]!.kill9();
    assert.ok((await pending) instanceof Error, 'the kiosk saw the connection drop');
    await blocker.query('ROLLBACK');
    await blocker.end();
    await waitFor('the killed server\'s transaction to be rolled back', async () => !(await lockWaits()));
    assert.equal((await rowsOf(ctis)).size, 0, 'nothing of the killed request');
    const other = via(t, c.serves[1]!.url);
    assert.deepEqual(results(await upload(other, records)), Array<string>(5).fill('recorded'));
    assert.deepEqual(results(await upload(other, records)), Array<string>(5).fill('duplicate'));
    await c.restart(0);
  });

  it('kill -9 at random moments of a stream of uploads: after retrying everything, each redemption is there once', async function () {
    const t = await terminal(0);
    const ctis = await coupons(240);
    const at = Date.now() - 10_000;
    const batches = Array.from({ length: 24 }, (_, i) => ctis.slice(i * 10, i * 10 + 10).map((x) => redeem(x, at)));
    let cut = 0;
    for (let round = 0; round < 3; round++) {
      const live = via(t, c.serves[0]!.url); // a restarted process listens on a new port
      const mine = batches.slice(round * 8, round * 8 + 8);
      let answered = 0;
      let failed = 0;
      const stream = (async () => {
        for (const batch of mine) await upload(live, batch).then(() => answered++, () => failed++);
      })();
      const after = 1 + Math.floor(Math.random() * 4); // at least 4 uploads still to go: the 15 ms below cannot see them all answered
      while (answered < after) await sleep(1);
      await sleep(Math.random() * 15); // somewhere in the next request: parsing, in the transaction, committing, answering
      await c.serves[0]!.kill9();
      await stream;
      if (failed > 0) cut++;
      await c.restart(0);
    }
    assert.ok(cut >= 1, 'at least one stream was cut by the kill');
    const seen = new Set<string>();
    const live = via(t, c.serves[0]!.url);
    for (const batch of batches) for (const r of results(await upload(live, batch))) seen.add(r);
    assert.ok([...seen].every((r) => r === 'recorded' || r === 'duplicate'), [...seen].join());
    const rows = await rowsOf(ctis);
    assert.equal(rows.size, 240);
    assert.ok([...rows.values()].every((n) => n === 1), 'never counted twice');
  });

  describe('through a faulty network', function () {
    let proxy: FaultProxy;
    before(async function () {
      proxy = await startFaultProxy(c.serves[1]!.url);
    });
    after(async () => proxy?.close());

    it('an answer lost after the platform committed: the retry is a duplicate (upload) or claimed again (claim)', async function () {
      const t = via(await terminal(1), proxy.url);
      const [u, k] = await coupons(2);
      const records = [redeem(u!, Date.now() - 1000)];
      proxy.next.push({ kind: 'lose-response' });
      await assert.rejects(upload(t, records));
      assert.equal(proxy.seen.at(-1)?.status, 200, 'the platform had answered');
      assert.deepEqual(results(await upload(t, records)), ['duplicate']);
      const claim = facts(k!, Date.now());
      proxy.next.push({ kind: 'lose-response' });
      await assert.rejects(t.request('POST', '/v1/terminal/claims', claim));
      const again = await t.request('POST', '/v1/terminal/claims', claim);
      assert.deepEqual([again.body['result'], again.body['repeated']], ['claimed', true]);
      assert.deepEqual([...(await rowsOf([u!, k!])).values()], [1, 1]);
    });

    it('a reset before the platform saw it, a 500 from a proxy, a slow link: retries record each once', async function () {
      const t = via(await terminal(1), proxy.url);
      const [x] = await coupons(1);
      const records = [redeem(x!, Date.now() - 1000)];
      proxy.next.push({ kind: 'reset' }, { kind: '500' }, { kind: 'delay', ms: 300 });
      await assert.rejects(upload(t, records));
      const failed = await upload(t, records);
      assert.equal(failed.status, 500);
      assert.equal(failed.verdict.ok, false, 'a proxy\'s answer is not signed: the kiosk ignores it');
      assert.equal((await rowsOf([x!])).size, 0);
      assert.deepEqual(results(await upload(t, records)), ['recorded']);
      assert.deepEqual(results(await upload(t, records)), ['duplicate']);
    });
  });
});
