/**
 * Enrollment on a real PostgreSQL with two `serve` processes behind it, as
 * behind a load balancer: a token raced by two kiosks, each through its own
 * process (exactly one wins, the other writes nothing), and a server killed
 * before its commit (a clear error; the token still enrolls).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { loadHomeKeys } from '../../provisioning/home-keys.js';
import { requireTestDatabase, type TestDatabase } from '../support/postgres.js';
import { spawnServe, type ServeProcess } from '../platform/spawn-serve.js';
import { removeDir, tempDir } from '../device/helpers.js';
import { json, kioskAsync } from './cli.js';
import { picture } from './helpers.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('kiosk provision enroll with two serve processes on one PostgreSQL', function () {
  this.timeout(180_000);
  let db: TestDatabase;
  let dirs: string[];
  let servers: ServeProcess[];
  let sql: pg.Client;
  let dir: string;
  let platformKid: string;

  const admin = async (i: number, route: string, body: unknown) => {
    const token = readFileSync(path.join(dirs[i]!, 'admin-token'), 'utf8').trim();
    const r = await fetch(`${servers[i]!.url}/v1/admin${route}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return (await r.json()) as Record<string, unknown>;
  };
  const token = async () => (await admin(0, '/enrollment-tokens', { merchantId: 'shop-1', branchId: 'north' }))['token'] as string;
  const enroll = (home: string, url: string, t: string) => kioskAsync(['provision', 'enroll', '--home', home, '--url', url, '--token', t, '--expect-platform-kid', platformKid, '--json']);

  before(async function () {
    db = await requireTestDatabase(this);
    dirs = [0, 1].map(() => mkdtempSync(path.join(os.tmpdir(), 'coupon-serve-pg-')));
    servers = await Promise.all(dirs.map((d) => spawnServe(['--data', d, '--database', db.url, '--platform-id', 'plat-pg'])));
    sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    await admin(0, '/merchants', { merchantId: 'shop-1' });
    await admin(1, '/merchants/shop-1/branches', { branchId: 'north' });
    platformKid = (await sql.query<{ kid: string }>('SELECT kid FROM signing_keys')).rows[0]!.kid;
    dir = tempDir('enroll-pg-');
  });
  after(async () => {
    await sql?.end();
    await Promise.all((servers ?? []).filter((s) => s && s.child.exitCode === null).map((s) => s.stop()));
    for (const d of dirs ?? []) rmSync(d, { recursive: true, force: true });
    await db?.drop();
    if (dir) removeDir(dir);
  });

  it('a token raced by two kiosks, each through its own serve process: exactly one enrolls, the other is refused and writes nothing', async function () {
    for (let round = 0; round < 3; round++) {
      const t = await token();
      const homes = [path.join(dir, `race-${round}-a`), path.join(dir, `race-${round}-b`)];
      const runs = await Promise.all(homes.map((h, i) => enroll(h, servers[i]!.url, t)));
      const winners = runs.filter((r) => r.status === 0);
      assert.equal(winners.length, 1, runs.map((r) => r.stderr).join('\n'));
      const loser = runs.findIndex((r) => r.status !== 0);
      assert.match(runs[loser]!.stderr, /TOKEN_USED/);
      assert.deepEqual(picture(homes[loser]!), [], 'the loser wrote nothing');
      assert.deepEqual(loadHomeKeys(homes[1 - loser]!, { credentials: undefined }).enrolled.map((p) => p.record.terminalId), [json(winners[0]!)['terminalId']]);
      const rows = (await sql.query('SELECT terminal_id FROM enrollment_tokens WHERE used_at IS NOT NULL')).rowCount;
      assert.equal(rows, round + 1);
    }
    assert.equal((await sql.query('SELECT * FROM terminals')).rowCount, 3, 'one terminal per token');
  });

  it('the server killed before its commit: a clear error, the token unused, and it enrolls through the other process', async function () {
    const t = await token();
    const blocker = new pg.Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE terminals IN SHARE MODE'); // the enrollment consumes its token, then waits to insert
    const home = path.join(dir, 'killed');
    const pending = enroll(home, servers[0]!.url, t);
    for (let i = 0; ; i++) {
      const waiting = await sql.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'coupon-platform' AND wait_event_type = 'Lock'`);
      if (waiting.rowCount! > 0) break;
      if (i > 400) assert.fail('the enrollment never reached the terminal insert');
      await sleep(25);
    }
    await servers[0]!.kill9();
    const cut = await pending;
    assert.equal(cut.status, 1);
    assert.match(cut.stderr, /no answer from .*run the same command again.*Nothing was written/);
    await blocker.query('ROLLBACK');
    await blocker.end();
    assert.deepEqual(loadHomeKeys(home, { credentials: undefined }).enrolled, []);
    const row = (await sql.query<{ used_at: Date | null }>(`SELECT used_at FROM enrollment_tokens ORDER BY created_at DESC LIMIT 1`)).rows[0]!;
    assert.equal(row.used_at, null, 'the killed transaction never committed');
    const retried = await enroll(home, servers[1]!.url, t);
    assert.equal(retried.status, 0, retried.stderr);
    assert.equal(loadHomeKeys(home, { credentials: undefined }).enrolled.length, 1);
    servers[0] = await spawnServe(['--data', dirs[0]!, '--database', db.url]);
  });
});
