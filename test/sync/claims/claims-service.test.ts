/**
 * Claim modes end to end: enrolled kiosk homes, the real `kiosk redeem`
 * (the same pipeline as `kiosk start`), the real service on loopback (in the
 * test process, PGlite), and a fault proxy between them for a slow, dead or
 * answer-holding platform.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { KIOSK_CLI } from '../../platform/cli-run.js';
import { removeDir, tempDir } from '../../device/helpers.js';
import { startFixture, type ServiceFixture } from '../../provisioning/service-fixture.js';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { enrollHome, issueCoupon, reasons, redeemLines, type AdminCall } from './kiosk-run.js';
import { isVerdict, scanPaced, spawnKiosk } from '../../device/spawn-kiosk.js';
import { kioskAsync, ok } from '../../provisioning/cli.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('claim modes against the real service on loopback (PGlite)', function () {
  this.timeout(120_000);
  let dir: string;
  let fx: ServiceFixture;
  let proxy: FaultProxy;
  let admin: AdminCall;
  let north: string;
  let south: string;

  before(async () => {
    dir = tempDir('claims-svc-');
    fx = await startFixture({ platformId: 'plat-claims' });
    admin = fx.admin;
    proxy = await startFaultProxy(fx.url);
    for (const [id, mode, settings] of [['shop-req', 'online-required', {}], ['shop-pref', 'online-preferred', { offlineMaxCount: 2, offlineMaxQuantity: 3 }]] as const) {
      assert.equal((await admin('POST', '/merchants', { merchantId: id, claimMode: mode, settings })).status, 201);
      for (const b of ['north', 'south']) assert.equal((await admin('POST', `/merchants/${id}/branches`, { branchId: b })).status, 201);
    }
    [north, south] = await Promise.all([enrollHome(admin, proxy.url, dir, 'north', 'shop-req', 'north'), enrollHome(admin, proxy.url, dir, 'south', 'shop-req', 'south')]);
  });
  after(async () => {
    await proxy?.close();
    await fx?.stop();
    removeDir(dir);
  });
  beforeEach(() => (proxy.next.length = 0));

  const platformRows = async (ctiHex: string) => {
    const page = await admin('GET', '/redemptions?limit=1000');
    return (page.body['items'] as Record<string, unknown>[]).filter((r) => r['ctiHex'] === ctiHex);
  };

  it('online-required: ACCEPTED after the platform claimed it; at the other branch ALREADY_REDEEMED naming branch, terminal and time', async () => {
    const c = await issueCoupon(admin, 'shop-req');
    const [here] = await redeemLines(north, [c.text]);
    assert.deepEqual([here!['reason'], here!['offline']], ['ACCEPTED', false]);
    assert.equal((await platformRows(c.ctiHex)).length, 1, 'claimed on the platform');
    const [there] = await redeemLines(south, [c.text]);
    assert.equal(there!['reason'], 'ALREADY_REDEEMED');
    assert.equal(there!['redeemedBranch'], 'north');
    assert.equal(there!['redeemedAt'], here!['at'], 'the first scan time, as the claim carried it');
    assert.match(there!['message'] as string, /branch north \(terminal /);
  });

  it('kiosk start claims too (the same pipeline), one scan at a time; kiosk status shows the claim mode', async () => {
    const c = await issueCoupon(admin, 'shop-req');
    const status = JSON.parse(ok(await kioskAsync(['status', '--home', north, '--json']))) as { claims: Record<string, unknown>[] };
    assert.deepEqual(status.claims.map((x) => [x['platformId'], x['mode'], x['timeoutMs']]), [['plat-claims', 'online-required', 1500]]);
    const verdicts: Record<string, unknown>[] = [];
    for (const home of [north, south]) {
      const run = spawnKiosk(['start', '--home', home, '--simulate', '--display', 'none', '--json']);
      await run.waitFor((e) => e['event'] === 'state' && e['phase'] === 'ready');
      await scanPaced(run, [c.text]);
      run.child.stdin.end();
      assert.equal(await run.done, 0);
      verdicts.push(...run.events.filter(isVerdict));
    }
    assert.deepEqual(verdicts.map((v) => [v['reason'], v['redeemedBranch']]), [['ACCEPTED', undefined], ['ALREADY_REDEEMED', 'north']]);
  });

  it('online-required with the platform slow: "offline: cannot redeem" in time, never ACCEPTED; the late claim counts for this terminal on a rescan', async () => {
    const c = await issueCoupon(admin, 'shop-req');
    proxy.next.push({ kind: 'delay', ms: 4000 });
    const [v] = await redeemLines(north, [c.text]);
    assert.equal(v!['reason'], 'OFFLINE_CANNOT_REDEEM');
    assert.equal(v!['detail'], 'TIMEOUT');
    const latency = v!['latencyMs'] as number;
    // at the merchant's 1.5 s timeout, not at the platform's answer 4 s later (how soon after the timeout is the pipeline bench's business)
    assert.ok(latency >= 1450 && latency < 3900, `the merchant's 1.5 s timeout, then the verdict (${latency} ms)`);
    for (let i = 0; (await platformRows(c.ctiHex)).length === 0; i++) {
      if (i > 400) assert.fail('the delayed claim never reached the platform');
      await sleep(25); // the delayed claim reaches the platform after all and commits
    }
    const [rescan] = await redeemLines(north, [c.text]);
    assert.equal(rescan!['reason'], 'ACCEPTED');
  });

  it('online-required with the platform dead (connection reset, 500): "offline: cannot redeem" at once', async () => {
    const c = await issueCoupon(admin, 'shop-req');
    proxy.next.push({ kind: 'reset' }, { kind: '500' });
    const events = await redeemLines(north, [c.text, c.text]);
    assert.deepEqual(reasons(events), ['OFFLINE_CANNOT_REDEEM', 'OFFLINE_CANNOT_REDEEM']);
    assert.deepEqual(events.map((e) => e['detail']), ['UNREACHABLE', 'ANSWER_UNVERIFIED']);
    assert.equal((await platformRows(c.ctiHex)).length, 0);
  });

  it('kill -9 after the platform claimed, before the kiosk committed: the rescan at the same terminal is ACCEPTED', async () => {
    const c = await issueCoupon(admin, 'shop-req');
    proxy.next.push({ kind: 'hold', ms: 5000 });
    const seen = proxy.seen.length;
    const child = spawn(process.execPath, [KIOSK_CLI, 'redeem', '--home', north, '-'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, KIOSK_LOG_LEVEL: 'warn' } });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise((r) => child.on('exit', r));
    child.stdin.write(c.text + '\n');
    // the child's start-up on a loaded machine takes what it takes; the kill follows the claim within one poll
    for (const end = Date.now() + 30_000; proxy.seen.length === seen; ) {
      if (Date.now() > end) assert.fail('the claim never reached the service');
      await sleep(10);
    }
    child.kill('SIGKILL');
    await exited;
    assert.equal(out, '', 'killed before any verdict');
    assert.equal((await platformRows(c.ctiHex)).length, 1, 'the platform committed the claim');
    const [rescan] = await redeemLines(north, [c.text]);
    assert.equal(rescan!['reason'], 'ACCEPTED');
    const [elsewhere] = await redeemLines(south, [c.text]);
    assert.equal(elsewhere!['reason'], 'ALREADY_REDEEMED');
  });

  it('online-preferred with the platform unreachable: two terminals both accept within the limits, then "offline limit reached"; after reconnect both see the conflict', async () => {
    const [a, b] = await Promise.all([enrollHome(admin, proxy.url, dir, 'pref-a', 'shop-pref', 'north'), enrollHome(admin, proxy.url, dir, 'pref-b', 'shop-pref', 'south')]);
    for (let i = 0; i < 5; i++) proxy.next.push({ kind: 'reset' }); // every claim below meets a reset connection
    const shared = await issueCoupon(admin, 'shop-pref');
    const [one, two, big] = [await issueCoupon(admin, 'shop-pref'), await issueCoupon(admin, 'shop-pref'), await issueCoupon(admin, 'shop-pref', 5)];
    const [ea, eb] = await Promise.all([redeemLines(a, [shared.text, big.text, one.text, two.text]), redeemLines(b, [shared.text])]);
    assert.deepEqual(reasons(ea), ['ACCEPTED', 'OFFLINE_LIMIT_REACHED', 'ACCEPTED', 'OFFLINE_LIMIT_REACHED']);
    assert.deepEqual([ea[0]!['offline'], ea[1]!['detail'], ea[3]!['detail']], [true, 'max qty 3', 'max 2 offline']);
    assert.deepEqual([reasons(eb), eb[0]!['offline']], [['ACCEPTED'], true]);
    assert.equal((await platformRows(shared.ctiHex)).length, 0, 'nothing reached the platform yet');
    assert.equal(proxy.next.length, 0, 'each claim met its reset');
    // reconnected: each kiosk's sync pass uploads its offline redemptions (and the releases of the refused scans)
    for (const home of [a, b, a]) assert.equal((await kioskAsync(['sync', '--home', home, '--json'])).status, 0);
    for (const home of [a, b]) {
      const lines = ok(await kioskAsync(['ledger', 'conflicts', '--home', home, '--json'])).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      // once each: the losing side learns it twice (its upload's answer, then the platform's notice), both naming it by its enrolled id
      assert.deepEqual(lines.map((l) => l['serial']), [shared.serial], home);
    }
    assert.equal((await platformRows(shared.ctiHex)).length, 1, 'one counts on the platform');
  });
});
