/**
 * kill -9 of the platform's `serve` process while the real kiosk uplink
 * (`kiosk sync`, a child process talking straight to it) has an upload
 * request inside it, on a real PostgreSQL so the restarted process sees the
 * same data: the killed sync exits 1 with the rest still pending, and after
 * the restart every redemption is on the platform exactly once, with its
 * original scan time.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { removeDir, tempDir } from '../../device/helpers.js';
import { startCluster, type Cluster } from '../../platform/serve-cluster.js';
import { KIOSK_CLI } from '../../platform/cli-run.js';
import { kioskAsync } from '../../provisioning/cli.js';
import { enrollHome, type AdminCall } from '../claims/kiosk-run.js';
import { openKiosk, redeemIssued, until, type KioskSide } from './helpers.js';

type Json = Record<string, unknown>;
const lines = (out: string): Json[] => out.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Json);
const FAST = { KIOSK_LOG_LEVEL: 'warn' };
const N = 60;
const BATCH = 20;

describe('kill -9 of the serve process mid-request, the real kiosk uplink (one PostgreSQL)', function () {
  this.timeout(180_000);
  let c: Cluster;
  let dir: string;
  let k: KioskSide | undefined;

  before(async function () {
    c = await startCluster(this, 1);
    dir = tempDir('server-kill-');
  });
  after(async () => {
    k?.ledger.close();
    await c?.stop();
    if (dir) removeDir(dir);
  });

  const admin: AdminCall = (method, route, body) => c.admin(0, method, route, body);
  const rowsOf = async (ctis: string[]): Promise<Map<string, number[]>> => {
    const r = await c.sql.query<{ cti_hex: string; scanned_at: Date }>('SELECT cti_hex, scanned_at FROM redemptions WHERE cti_hex = ANY($1)', [ctis]);
    const out = new Map<string, number[]>();
    for (const x of r.rows) out.set(x.cti_hex, [...(out.get(x.cti_hex) ?? []), x.scanned_at.getTime()]);
    return out;
  };
  const platformBackends = async (wait: 'Lock' | 'any'): Promise<number> =>
    (await c.sql.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'coupon-platform' ${wait === 'Lock' ? "AND wait_event_type = 'Lock'" : ''}`)).rowCount ?? 0;
  const status = async (home: string): Promise<Json> => {
    const s = await kioskAsync(['status', '--home', home, '--json'], { env: FAST });
    assert.equal(s.status, 0, s.stderr);
    return (lines(s.stdout)[0]?.['sync'] as Json[])[0]!;
  };

  /** A home enrolled with the serve process, uploading BATCH records a request, N offline redemptions pending (scan times 1 s apart, in outbox order). */
  const pendingKiosk = async (name: string) => {
    const home = await enrollHome(admin, c.serves[0]!.url, dir, name, 'shop-1', 'north');
    const config = path.join(home, 'config.json');
    const raw = existsSync(config) ? (JSON.parse(readFileSync(config, 'utf8')) as Json) : {};
    writeFileSync(config, JSON.stringify({ ...raw, sync: { ...(raw['sync'] as Json | undefined), batchRecords: BATCH } }));
    k = openKiosk(home, 'plat-pg');
    const base = Date.now() - 3600_000;
    const reds = [];
    for (let i = 0; i < N; i++) reds.push(await redeemIssued({ admin }, k, base + i * 1000));
    assert.equal(k.ledger.sync.counts(k.platformId).pending, N);
    return { k, reds };
  };

  it('killed inside the second upload\'s transaction: the sync exits 1, nothing of that request is kept; after the restart each redemption is there once, with its scan time', async () => {
    const { k, reds } = await pendingKiosk('home-kill');
    const ctis = reds.map((r) => r.ctiHex);
    // Hold the second batch inside the server: an uncommitted live row of one of its coupons makes its INSERT wait on our transaction.
    const blocked = reds[BATCH + BATCH / 2]!;
    const blocker = new pg.Client({ connectionString: c.db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query(
      `INSERT INTO redemptions (cti_hex, terminal_id, merchant_id, branch_id, scanned_at, received_at, offline, source) VALUES ($1, $2, 'shop-1', 'north', $3, now(), true, 'upload')`,
      [blocked.ctiHex, k.terminalId, new Date(blocked.at - 1)],
    );
    const child = spawn(process.execPath, [KIOSK_CLI, 'sync', '--home', k.home, '--json'], { env: { ...process.env, ...FAST }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await until('the second upload waits inside the server, on the redemptions insert', async () => (await platformBackends('Lock')) > 0, 60_000);
      assert.equal(child.exitCode, null, 'kiosk sync is still waiting for its answer');
      const before = await rowsOf(ctis);
      assert.deepEqual([...before.keys()].sort(), ctis.slice(0, BATCH).sort(), 'the first batch is in, the second is in flight');
      await c.serves[0]!.kill9();
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.end();
    }
    assert.equal(await exited, 1, `the killed request failed the sync:\n${err}`);
    assert.deepEqual(lines(out).at(-1), { event: 'sync-done', pending: N - BATCH, platforms: 1 });
    await until('the killed server\'s backends are gone', async () => (await platformBackends('any')) === 0);
    assert.deepEqual([...(await rowsOf(ctis)).keys()].sort(), ctis.slice(0, BATCH).sort(), 'nothing of the killed request was kept');
    assert.deepEqual(reds.map((r) => k.ledger.find(k.platformId, r.ctiHex)?.upload), [...Array<string>(BATCH).fill('sent'), ...Array<string>(N - BATCH).fill('pending')]);

    // Still down (not restarted): a sync fails and marks nothing sent.
    const down = await kioskAsync(['sync', '--home', k.home, '--json'], { env: FAST });
    assert.equal(down.status, 1, down.stderr);
    assert.deepEqual(lines(down.stdout).at(-1), { event: 'sync-done', pending: N - BATCH, platforms: 1 });
    const s = await status(k.home);
    assert.deepEqual([s['pending'], s['online']], [N - BATCH, false]);

    await c.restart(0, true);
    let code: number | null = null;
    for (let i = 0; i < 3 && code !== 0; i++) code = (await kioskAsync(['sync', '--home', k.home, '--json'], { env: FAST })).status;
    assert.equal(code, 0, 'kiosk sync exits 0 once the server is back');
    const rows = await rowsOf(ctis);
    assert.equal(rows.size, N, 'none lost');
    for (const r of reds) assert.deepEqual(rows.get(r.ctiHex), [r.at], `coupon ${r.serial}: once, with its original scan time`);
    const answers = new Set(reds.map((r) => k.ledger.find(k.platformId, r.ctiHex)?.uploadResult));
    assert.ok([...answers].every((a) => a === 'recorded' || a === 'duplicate'), [...answers].join());
    assert.deepEqual([(await status(k.home))['pending'], (await status(k.home))['online']], [0, true]);
  });
});
