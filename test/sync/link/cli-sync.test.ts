/**
 * The sync commands as scripts use them, as child processes against the
 * real service on loopback (in this process, behind a fault proxy):
 * `kiosk sync` (exit 0 only when nothing is pending; a kill -9 mid-upload
 * loses and doubles nothing), `kiosk reverse`, `kiosk ledger conflicts
 * --json`, `kiosk ledger attention`, `kiosk status --json`.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeDir, tempDir } from '../../device/helpers.js';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { startFixture, type ServiceFixture } from '../../provisioning/service-fixture.js';
import { kioskAsync } from '../../provisioning/cli.js';
import { KIOSK_CLI } from '../../platform/cli-run.js';
import { enrolledKiosk, platformRows, redeemIssued, until, type KioskSide } from './helpers.js';

const lines = (out: string): Record<string, unknown>[] => out.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
const FAST = { KIOSK_LOG_LEVEL: 'warn' };

describe('kiosk sync, reverse, ledger conflicts, status (child processes, real service)', function () {
  this.timeout(120_000);
  let dir: string;
  let fx: ServiceFixture;
  let proxy: FaultProxy;
  let k: KioskSide;
  let n = 0;

  before(async () => {
    dir = tempDir('sync-cli-');
    fx = await startFixture();
    await fx.merchant('shop-1');
    proxy = await startFaultProxy(fx.url);
  });
  beforeEach(async () => {
    k = await enrolledKiosk(fx, dir, `home-${++n}`, { url: proxy.url, tls: { mode: 'system' } });
    proxy.next = [];
  });
  afterEach(() => k.ledger.close());
  after(async () => {
    await proxy?.close();
    await fx?.stop();
    removeDir(dir);
  });

  it('kiosk sync exits 1 while the platform is unreachable, 0 once everything is answered', async () => {
    const reds = [await redeemIssued(fx, k), await redeemIssued(fx, k)];
    proxy.next = [{ kind: 'reset' }, { kind: 'reset' }]; // the upload and the state pull; the revocations wait for the state
    const down = await kioskAsync(['sync', '--home', k.home, '--json'], { env: FAST });
    assert.equal(down.status, 1, down.stderr);
    const d = lines(down.stdout);
    assert.match(String(d[0]?.['uploadError']), /UNREACHABLE/);
    assert.deepEqual(d.at(-1), { event: 'sync-done', pending: 2, platforms: 1 });
    const up = await kioskAsync(['sync', '--home', k.home, '--json'], { env: FAST });
    assert.equal(up.status, 0, up.stderr);
    const u = lines(up.stdout);
    assert.equal((u[0]?.['uploaded'] as Record<string, number>)['sent'], 2);
    assert.equal(u[0]?.['pulled'], true);
    assert.equal(u[0]?.['online'], true);
    assert.deepEqual(u.at(-1), { event: 'sync-done', pending: 0, platforms: 1 });
    const rows = await platformRows(fx, k.terminalId);
    for (const r of reds) assert.deepEqual(rows.get(r.ctiHex)?.map((x) => x.scannedAt), [r.at]);
  });

  it('kill -9 of kiosk sync mid-upload: the next sync records nothing twice and loses nothing', async () => {
    const reds = [];
    for (let i = 0; i < 5; i++) reds.push(await redeemIssued(fx, k));
    proxy.next = [{ kind: 'delay', ms: 1500 }, { kind: 'delay', ms: 1500 }, { kind: 'delay', ms: 1500 }];
    proxy.received = [];
    const child = spawn(process.execPath, [KIOSK_CLI, 'sync', '--home', k.home, '--json'], { env: { ...process.env, ...FAST }, stdio: 'ignore' });
    const killed = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, sig) => resolve(sig)));
    await until('the upload is on the wire, held by the proxy', () => proxy.received.some((s) => s.url === '/v1/terminal/redemptions'));
    child.kill('SIGKILL');
    assert.equal(await killed, 'SIGKILL');
    await until('the held upload reached the service', () => proxy.seen.some((s) => s.url === '/v1/terminal/redemptions'));
    assert.equal(k.ledger.sync.counts(k.platformId).pending, 5, 'the killed process recorded no answer');
    const again = await kioskAsync(['sync', '--home', k.home, '--json'], { env: FAST });
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(reds.map((r) => k.ledger.find(k.platformId, r.ctiHex)?.uploadResult), Array(5).fill('duplicate'));
    const rows = await platformRows(fx, k.terminalId);
    for (const r of reds) assert.equal(rows.get(r.ctiHex)?.length, 1);
  });

  it('kiosk reverse within the window: a reverse entry, uploaded; the coupon is free again; after the window: refused', async () => {
    const r = await redeemIssued(fx, k, Date.now() - 2000);
    const rev = await kioskAsync(['reverse', '--home', k.home, '--serial', r.serial, '--json'], { env: FAST });
    assert.equal(rev.status, 0, rev.stderr);
    assert.equal(lines(rev.stdout)[0]?.['ok'], true);
    assert.equal(k.ledger.find(k.platformId, r.ctiHex), undefined, 'free again');
    const again = await kioskAsync(['reverse', '--home', k.home, '--serial', r.serial, '--json'], { env: FAST });
    assert.equal(again.status, 1);
    assert.equal(lines(again.stdout)[0]?.['code'], 'NOT_FOUND');
    const old = await redeemIssued(fx, k, Date.now() - 700_000);
    const late = await kioskAsync(['reverse', '--home', k.home, '--serial', old.serial, '--json'], { env: FAST });
    assert.equal(late.status, 1);
    assert.equal(lines(late.stdout)[0]?.['code'], 'REVERSAL_WINDOW_PASSED');
    const sync = await kioskAsync(['sync', '--home', k.home, '--json'], { env: FAST });
    assert.equal(sync.status, 0, sync.stderr);
    assert.deepEqual((await platformRows(fx, k.terminalId)).get(r.ctiHex), [{ scannedAt: r.at, offline: true, reversed: true }]);
  });

  it('kiosk ledger conflicts --json: one object per line with the serial; kiosk status --json: the sync state per platform', async () => {
    const r = await redeemIssued(fx, k);
    const party = (terminalId: string, scannedAt: number) => ({ terminalId, branchId: 'north', scannedAt, receivedAt: scannedAt + 5, offline: true });
    k.ledger.sync.addConflicts(k.platformId, [{ ctiHex: r.ctiHex, noticeSeq: 7, side: 'lost', first: party('till-x', r.at - 10), second: party(k.terminalId, r.at) }], 7, Date.now());
    const c = await kioskAsync(['ledger', 'conflicts', '--home', k.home, '--json'], { env: FAST });
    assert.equal(c.status, 0, c.stderr);
    const listed = lines(c.stdout);
    assert.equal(listed.length, 1);
    assert.equal(listed[0]?.['serial'], r.serial);
    assert.equal(listed[0]?.['side'], 'lost');
    const s = await kioskAsync(['status', '--home', k.home, '--json'], { env: FAST });
    assert.equal(s.status, 0, s.stderr);
    const sync = (lines(s.stdout)[0]?.['sync'] as Record<string, unknown>[])[0]!;
    assert.equal(sync['platformId'], k.platformId);
    assert.deepEqual([sync['pending'], sync['rejected'], sync['held'], sync['conflicts'], sync['claimMode'], sync['online']], [1, 0, 0, 1, 'offline', null]);
    assert.equal(sync['lastSyncAt'], null);
  });

  it('kiosk ledger attention: the uploads the platform rejected or cannot read, with serial and the platform\'s words; none of the taken ones', async () => {
    const empty = await kioskAsync(['ledger', 'attention', '--home', k.home], { env: FAST });
    assert.equal(empty.status, 0, empty.stderr);
    assert.match(empty.stdout, /nothing needs attention/);
    const good = await redeemIssued(fx, k);
    const base = { platformId: k.platformId, product: 'hotpot', quantity: 2, merchantId: 'shop-1', consumer: 'u-7', iat: 1, exp: 2_000_000_000, terminalId: k.terminalId, textHash: 'ab'.repeat(32) };
    assert.ok(k.ledger.redeem({ ...base, ctiHex: '00'.repeat(12), serial: 'UNKNOWN-1', at: Date.now() - 500 }).ok);
    assert.ok(k.ledger.redeem({ ...base, ctiHex: '01'.repeat(12), serial: 'LONG-1', product: 'x'.repeat(3000), at: Date.now() - 400 }).ok);
    const sync = await kioskAsync(['sync', '--home', k.home, '--json'], { env: FAST });
    assert.equal(sync.status, 1, 'the held one is still pending');
    const a = await kioskAsync(['ledger', 'attention', '--home', k.home, '--json'], { env: FAST });
    assert.equal(a.status, 0, a.stderr);
    const listed = lines(a.stdout);
    assert.deepEqual(listed.map((e) => [e['serial'], e['state'], e['result'], e['kind'], e['platformId']]), [
      ['LONG-1', 'held', null, 'redeem', k.platformId],
      ['UNKNOWN-1', 'rejected', 'unknown', 'redeem', k.platformId],
    ]);
    assert.match(String(listed[0]?.['detail']), /cannot read/);
    assert.ok(!listed.some((e) => e['serial'] === good.serial), 'a recorded upload needs nobody');
    const text = await kioskAsync(['ledger', 'attention', '--home', k.home, '--platform', k.platformId], { env: FAST });
    assert.match(text.stdout, /^LONG-1 {2}redeem HELD \(the platform cannot read it\)/m);
    assert.match(text.stdout, /^UNKNOWN-1 {2}redeem REJECTED unknown: /m);
    const other = await kioskAsync(['ledger', 'attention', '--home', k.home, '--platform', 'no-such-platform', '--json'], { env: FAST });
    assert.equal(other.stdout, '');
    const status = await kioskAsync(['status', '--home', k.home], { env: FAST });
    assert.match(status.stdout, /rejected 1, held 1 \(kiosk ledger attention\)/, 'the status line says where to look');
  });
});

describe('kiosk start --json with the sync worker (child process, real service)', function () {
  this.timeout(120_000);
  let dir: string;
  let fx: ServiceFixture;

  before(async () => {
    dir = tempDir('sync-start-');
    fx = await startFixture();
    await fx.merchant('shop-1');
  });
  after(async () => {
    await fx?.stop();
    removeDir(dir);
  });

  it('a scanned coupon is ACCEPTED and sent at once (the verdict wakes the upload, no idle check needed); sync lines say online and pending', async () => {
    const k = await enrolledKiosk(fx, dir, 'start-home', { url: fx.url, tls: { mode: 'system' } });
    k.ledger.close();
    // idle checks 10 minutes apart: a redemption at the platform within the test came through the wake on the verdict
    const config = path.join(k.home, 'config.json');
    const raw = existsSync(config) ? (JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>) : {};
    writeFileSync(config, JSON.stringify({ ...raw, sync: { ...(raw['sync'] as Record<string, unknown> | undefined), idleCheckMs: 600_000 } }));
    const iat = new Date(Date.now() - 3600_000).toISOString();
    const c = await fx.admin('POST', '/coupons', { aud: 'shop-1', sub: 'u-7', product: 'hotpot', quantity: 2, iat });
    const child = spawn(process.execPath, [KIOSK_CLI, 'start', '--home', k.home, '--simulate', '--display', 'none', '--json'], { env: { ...process.env, ...FAST }, stdio: ['pipe', 'pipe', 'pipe'] });
    const events: Record<string, unknown>[] = [];
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const p of parts) if (p.trim()) events.push({ ...(JSON.parse(p) as Record<string, unknown>), seenAt: Date.now() });
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await until('online', () => events.some((e) => e['event'] === 'sync' && e['online'] === true), 30_000);
      child.stdin.write(`${c.body['text'] as string}\n`);
      await until('a verdict', () => events.some((e) => e['event'] === 'verdict'));
      const verdict = events.find((e) => e['event'] === 'verdict')!;
      assert.equal(verdict['reason'], 'ACCEPTED', stderr);
      await until('at the platform', async () => (await platformRows(fx, k.terminalId)).has(c.body['ctiHex'] as string), 30_000);
      await until('a sync line with nothing pending', () => events.some((e) => e['event'] === 'sync' && e['pending'] === 0 && (e['seenAt'] as number) > (verdict['seenAt'] as number)));
      const rows = await platformRows(fx, k.terminalId);
      assert.equal(rows.get(c.body['ctiHex'] as string)?.[0]?.offline, true);
    } finally {
      child.stdin.end();
      const code = await exited;
      assert.equal(code, 0, stderr);
    }
  });
});
