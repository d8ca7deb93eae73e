/**
 * The Claimer contract (device/claims/port.ts), one suite for the fake and
 * for the HTTP claimer against the real service on loopback: a claim is
 * answered and idempotent for its terminal; it never rejects, a dead or
 * silent platform is `no-answer` within the timeout; close() aborts what is
 * in flight.
 */
import assert from 'node:assert/strict';
import { FakeClaimer, type FakePlatformRow } from '../../../device/claims/fake.js';
import type { ClaimInput, Claimer } from '../../../device/claims/port.js';
import { silentLogger } from '../../../device/logger.js';
import { loadHomeKeys } from '../../../provisioning/home-keys.js';
import { HttpClaimer } from '../../../sync/claims/http-claimer.js';
import { removeDir, tempDir } from '../../device/helpers.js';
import { startFixture, type ServiceFixture } from '../../provisioning/service-fixture.js';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { enrollHome, issueCoupon } from './kiosk-run.js';

interface World {
  claimer: Claimer;
  /** a claim input for a fresh coupon */
  coupon(): Promise<ClaimInput>;
  /** the next request gets no answer for `ms` */
  silence(ms: number): void;
  /** every request fails at once */
  dead(on: boolean): void;
}

function contract(name: string, setup: () => Promise<World>, teardown: () => Promise<void>): void {
  describe(`Claimer contract: ${name}`, function () {
    this.timeout(120_000);
    let w: World;
    before(async () => (w = await setup()));
    after(teardown);

    it('claimed, then claimed again (repeated) for the same terminal', async () => {
      const input = await w.coupon();
      const first = await w.claimer.claim(input, { timeoutMs: 5000 });
      assert.equal(first.kind === 'answer' && first.response.result, 'claimed', JSON.stringify(first));
      const again = await w.claimer.claim({ ...input, scannedAt: input.scannedAt + 1000 }, { timeoutMs: 5000 });
      assert.deepEqual(again.kind === 'answer' && again.response.result === 'claimed' && again.response.repeated, true, JSON.stringify(again));
    });

    it('never rejects: a silent platform is no-answer TIMEOUT within the timeout, a dead one no-answer at once', async () => {
      const coupon = await w.coupon();
      w.silence(3000);
      const t0 = performance.now();
      const silent = await w.claimer.claim(coupon, { timeoutMs: 300 });
      const took = performance.now() - t0;
      assert.deepEqual([silent.kind, silent.kind === 'no-answer' && silent.code], ['no-answer', 'TIMEOUT']);
      // at its own timeout, not at the platform's answer 3 s later
      assert.ok(took >= 290 && took < 2500, `${took} ms`);
      w.dead(true);
      const dead = await w.claimer.claim(await w.coupon(), { timeoutMs: 2000 });
      w.dead(false);
      assert.equal(dead.kind, 'no-answer');
    });

    it('close() settles a claim in flight as no-answer', async () => {
      w.silence(3000);
      const pending = w.claimer.claim(await w.coupon(), { timeoutMs: 5000 });
      await new Promise((r) => setTimeout(r, 100));
      await w.claimer.close();
      const a = await pending;
      assert.equal(a.kind, 'no-answer');
    });
  });
}

const facts = (ctiHex: string): ClaimInput => ({ platformId: 'plat-c', ctiHex, product: 'hotpot', quantity: 1, consumer: 'u-1', scannedAt: Date.now() - 1000 });

let fakeDead = false;
let fake: FakeClaimer;
contract('FakeClaimer', async () => {
  const platform = new Map<string, FakePlatformRow>();
  fake = new FakeClaimer({ platform });
  let n = 0;
  return {
    claimer: { claim: (i, o) => (fakeDead ? Promise.resolve({ kind: 'no-answer', code: 'UNREACHABLE', message: 'fake' }) : fake.claim(i, o)), close: () => fake.close() },
    coupon: async () => facts((++n).toString(16).padStart(24, '0')),
    silence: () => fake.script.push({ kind: 'hang' }),
    dead: (on) => (fakeDead = on),
  };
}, async () => undefined);

let fx: ServiceFixture;
let proxy: FaultProxy;
let dir: string;
contract('HttpClaimer against the real service', async () => {
  dir = tempDir('claimer-contract-');
  fx = await startFixture({ platformId: 'plat-c' });
  proxy = await startFaultProxy(fx.url);
  assert.equal((await fx.admin('POST', '/merchants', { merchantId: 'shop-c', claimMode: 'online-required' })).status, 201);
  assert.equal((await fx.admin('POST', '/merchants/shop-c/branches', { branchId: 'north' })).status, 201);
  const home = await enrollHome(fx.admin, proxy.url, dir, 'home', 'shop-c', 'north');
  const enrolled = loadHomeKeys(home, { credentials: undefined }).enrolled;
  const loads: string[] = [];
  const preloadHttp = (name: string) => async (): Promise<void> => void loads.push(name);
  new HttpClaimer({ platforms: () => enrolled, logger: silentLogger(), preloadHttp: preloadHttp('with a URL') });
  new HttpClaimer({ platforms: () => enrolled.map((p) => ({ ...p, record: { ...p.record, url: null } })), logger: silentLogger(), preloadHttp: preloadHttp('without') });
  new HttpClaimer({ platforms: () => [], logger: silentLogger(), preloadHttp: preloadHttp('none') });
  assert.deepEqual(loads, ['with a URL'], 'the HTTP client loads as the claimer is made, before any claim, only when a platform has a URL');
  const claimer = new HttpClaimer({ platforms: () => enrolled, logger: silentLogger() });
  const noLink = await claimer.claim({ ...facts('ab'.repeat(12)), platformId: 'not-enrolled' }, { timeoutMs: 500 });
  assert.deepEqual([noLink.kind, noLink.kind === 'no-answer' && noLink.code], ['no-answer', 'NO_LINK']);
  return {
    claimer,
    coupon: async () => facts((await issueCoupon(fx.admin, 'shop-c')).ctiHex),
    silence: (ms) => proxy.next.push({ kind: 'delay', ms }),
    dead: (on) => {
      if (on) proxy.next.push({ kind: 'reset' });
    },
  };
}, async () => {
  await proxy?.close();
  await fx?.stop();
  if (dir) removeDir(dir);
});
