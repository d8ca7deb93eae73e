/**
 * Several `serve` processes on one PostgreSQL database, as behind a load
 * balancer: one migration, one platform, tokens raced across processes,
 * a kill -9 in the middle of an enrollment, a rotation seen by every process.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import { Keyring, verifyCoupon } from '../../coupon/index.js';
import type { PlatformKey } from '../../coupon/types.js';
import { readMigrations } from '../../platform/store/migrate.js';
import { openPg } from '../../platform/store/pg-db.js';
import { createSqlStore } from '../../platform/store/sql-store.js';
import { jsonLines, platform } from './cli-run.js';
import { startCluster, type Cluster } from './serve-cluster.js';
import type { ServeProcess } from './spawn-serve.js';
import { TestTerminal, socketTransport } from './service/terminal-client.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('several serve processes on one PostgreSQL', function () {
  this.timeout(120_000);
  let c: Cluster;
  let pinned: PlatformKey[];
  const a = (): ServeProcess => c.serves[0]!;
  const b = (): ServeProcess => c.serves[1]!;
  const token = (i = 0) => c.token(i);

  before(async function () {
    // both start at once on an empty database: the advisory lock makes one migrate and one create the platform
    c = await startCluster(this);
    pinned = await c.trustedKeys();
  });
  after(async () => c?.stop());

  it('one schema, one platform, one first key; each data directory\'s admin token works on every process', async function () {
    assert.equal((await c.sql.query('SELECT * FROM schema_migrations')).rowCount, readMigrations().length);
    assert.deepEqual((await c.sql.query('SELECT platform_id FROM platform')).rows, [{ platform_id: 'plat-pg' }]);
    assert.equal((await c.sql.query('SELECT * FROM signing_keys')).rowCount, 1);
    assert.equal((await c.sql.query('SELECT * FROM trust_bundles')).rowCount, 1);
    assert.equal((await c.sql.query('SELECT * FROM admin_tokens')).rowCount, 2);
    assert.equal((await c.admin(0, 'GET', '/merchants')).status, 200);
    assert.equal((await c.admin(1, 'GET', '/merchants')).status, 200);
  });

  it('a token raced by ten devices through two processes: exactly one enrolled', async function () {
    const t = await token();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => new TestTerminal(socketTransport((i % 2 ? a() : b()).url)).enroll(t, pinned)));
    assert.deepEqual(answers.map((x) => x.status).sort(), [200, ...Array<number>(9).fill(409)]);
    assert.equal((await c.sql.query('SELECT * FROM terminals')).rowCount, 1);
  });

  it('concurrent enrollments with their own tokens through both processes all succeed, each once', async function () {
    const tokens = await Promise.all(Array.from({ length: 8 }, () => token()));
    const answers = await Promise.all(tokens.map((t, i) => new TestTerminal(socketTransport((i % 2 ? a() : b()).url)).enroll(t, pinned)));
    assert.ok(answers.every((x) => x.status === 200), answers.map((x) => x.text).join('\n'));
    const ids = answers.map((x) => x.status === 200 && x.body['enrollment']);
    assert.equal(new Set(ids).size, 8);
  });

  it('a nonce replayed to the other process is refused: they share the nonce table', async function () {
    const t = new TestTerminal(socketTransport(a().url));
    await t.enroll(await token(), pinned);
    const nonce = 'BBBBBBBBBBBBBBBBBBBBBB';
    assert.equal((await t.request('GET', '/v1/terminal/state', undefined, { nonce })).status, 200);
    const viaB = new TestTerminal(socketTransport(b().url), { sign: t.sign.privateKey, wrap: t.wrap.privateKey });
    const replay = await viaB.request('GET', '/v1/terminal/state', undefined, { nonce });
    assert.equal(replay.status, 401);
    assert.equal(replay.body['code'], 'REPLAYED_REQUEST');
  });

  it('kill -9 of a server mid-enrollment: the token stays unused and no terminal is half-registered', async function () {
    const t = await token();
    const before = (await c.sql.query('SELECT count(*)::int AS n FROM terminals')).rows[0] as { n: number };
    // hold back every INSERT into terminals: the enrollment consumes its token, then waits inside its transaction
    const blocker = new pg.Client({ connectionString: c.db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE terminals IN SHARE MODE');
    const victim = new TestTerminal(socketTransport(a().url));
    const pending = victim.enroll(t, pinned).catch((err: unknown) => err);
    for (let i = 0; ; i++) {
      const waiting = await c.sql.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'coupon-platform' AND wait_event_type = 'Lock'`);
      if (waiting.rowCount! > 0) break;
      if (i > 200) assert.fail('the enrollment never reached the terminal insert');
      await sleep(25);
    }
    await a().kill9();
    assert.ok((await pending) instanceof Error, 'the kiosk saw the connection drop');
    await blocker.query('ROLLBACK');
    await blocker.end();
    for (let i = 0; (await c.sql.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'coupon-platform' AND wait_event_type = 'Lock'`)).rowCount! > 0; i++) {
      if (i > 200) assert.fail('the killed server\'s transaction was never rolled back');
      await sleep(25);
    }
    const row = (await c.sql.query(`SELECT used_at, terminal_id FROM enrollment_tokens ORDER BY created_at DESC LIMIT 1`)).rows[0] as { used_at: Date | null; terminal_id: string | null };
    assert.deepEqual(row, { used_at: null, terminal_id: null });
    assert.equal(((await c.sql.query('SELECT count(*)::int AS n FROM terminals')).rows[0] as { n: number }).n, before.n);
    const retry = await new TestTerminal(socketTransport(b().url)).enroll(t, pinned);
    assert.equal(retry.status, 200, 'the token still enrolls through the surviving process');
    await c.restart(0);
  });

  it('redemptions --json and conflicts --json: one object per line with the serial as the kiosk shows it and the terminal id', async function () {
    const store = createSqlStore(await openPg({ connectionString: c.db.url }));
    try {
      const [t1, t2] = [new TestTerminal(socketTransport(a().url)), new TestTerminal(socketTransport(b().url))];
      await t1.enroll(await token(), pinned);
      await t2.enroll(await token(), pinned);
      const cp = (await c.admin(0, 'POST', '/coupons', { aud: 'shop-1', sub: 'u', product: 'p', quantity: 1 })).body as { serial: string; ctiHex: string };
      const scanned = new Date(Date.now() - 60_000);
      const rec = (scannedAt: Date) => [{ kind: 'redeem' as const, ctiHex: cp.ctiHex, product: 'p', quantity: 1, consumer: 'u', scannedAt, offline: true }];
      const ref = async (t: TestTerminal) => store.terminal(t.enrollment!.terminalId);
      assert.equal((await store.recordSync(await ref(t1), rec(scanned), 'upload', new Date()))[0]!.outcome, 'recorded');
      assert.equal((await store.recordSync(await ref(t2), rec(new Date()), 'upload', new Date()))[0]!.outcome, 'conflict');
      const cli = (cmd: string) => platform([cmd, '--url', b().url, '--data', c.dirs[1]!, '--json']);
      const r = cli('redemptions');
      assert.equal(r.status, 0, r.stderr);
      const redemptions = jsonLines(r.stdout).filter((x) => x['ctiHex'] === cp.ctiHex);
      assert.equal(redemptions.length, 1);
      assert.equal(redemptions[0]!['serial'], cp.serial);
      assert.equal(redemptions[0]!['terminalId'], t1.enrollment!.terminalId);
      assert.equal(redemptions[0]!['scannedAt'], scanned.toISOString(), 'the scan time, not the upload time');
      const k = cli('conflicts');
      assert.equal(k.status, 0, k.stderr);
      const conflicts = jsonLines(k.stdout);
      assert.equal(conflicts.length, 1);
      assert.equal(conflicts[0]!['serial'], cp.serial);
      assert.equal(conflicts[0]!['terminalId'], t2.enrollment!.terminalId);
      assert.equal((conflicts[0]!['winner'] as Record<string, unknown>)['terminalId'], t1.enrollment!.terminalId);
    } finally {
      await store.close();
    }
  });

  it('a rotation through one process is seen at once by the other: old and new coupons verify during the overlap', async function () {
    const t = new TestTerminal(socketTransport(b().url));
    await t.enroll(await token(), pinned);
    const issue = async (i: number) => (await c.admin(i, 'POST', '/coupons', { aud: 'shop-1', sub: 'u', product: 'p', quantity: 1 })).body as { text: string; signerKid: string };
    const old = await issue(0);
    const r = await c.admin(1, 'POST', '/keys/rotate', { overlapSeconds: 600 });
    assert.equal(r.status, 201);
    assert.equal(r.body['trustSeq'], 2);
    const fresh = await issue(0);
    assert.notEqual(fresh.signerKid, old.signerKid, 'process A signs with the key B just made: nothing cached');
    const state = await t.request('GET', '/v1/terminal/state?trustSeq=1');
    assert.equal(state.verdict.ok, true);
    const opened = t.openBundle(Buffer.from(state.body['trust'] as string, 'base64'));
    assert.equal(opened.bundle.seq, 2);
    const keyring = new Keyring({ merchantKeys: t.merchantKeys, platforms: [{ platformId: 'plat-pg', merchantId: 'shop-1', keys: opened.keys }] });
    const now = Math.floor(Date.now() / 1000);
    assert.equal(verifyCoupon(old.text, keyring, now).ok, true);
    assert.equal(verifyCoupon(fresh.text, keyring, now).ok, true);
    assert.equal(verifyCoupon(old.text, keyring, now + 601).reason, 'UNKNOWN_PLATFORM_KEY');
  });
});
