/**
 * The pipeline in every claim mode against a scripted platform (FakeClaimer)
 * and a real ledger: what each answer, and no answer, becomes; the
 * online-preferred limits; the ledger's marks.
 */
import assert from 'node:assert/strict';
import { verifyCoupon } from '../../../coupon/index.js';
import { FakeClock } from '../../../drivers/clock/port.js';
import { FakeClaimer, type FakePlatformRow } from '../../../device/claims/fake.js';
import type { ClaimAnswer, Claimer } from '../../../device/claims/port.js';
import type { ClaimPolicy } from '../../../device/claims/policy.js';
import type { Ledger } from '../../../device/ledger/types.js';
import { silentLogger } from '../../../device/logger.js';
import { ctiHex, Redeemer } from '../../../device/pipeline.js';
import type { RedeemVerdict, Verdict } from '../../../device/verdict.js';
import { PLATFORM_ID, issue, makeKeys, openTestLedger, removeDir, tempDir, type TestKeys } from '../helpers.js';

const policyOf = (over: Partial<ClaimPolicy>): ClaimPolicy => ({ mode: 'online-required', timeoutMs: 150, offlineMaxCount: 3, offlineMaxAgeS: 3600, offlineMaxQuantity: 5, ...over });

function verdictOf(v: Verdict): RedeemVerdict {
  assert.equal(v.kind, 'verdict', v.message);
  return v as RedeemVerdict;
}

describe('device/pipeline with claim modes (fake claimer)', () => {
  let dir: string;
  let ledger: Ledger;
  let keys: TestKeys;
  let clock: FakeClock;
  before(() => (keys = makeKeys()));
  beforeEach(() => {
    dir = tempDir();
    ledger = openTestLedger(dir);
    clock = new FakeClock(Date.now());
  });
  afterEach(() => {
    ledger.close();
    removeDir(dir);
  });

  const redeemer = (claimer: Claimer, policy: Partial<ClaimPolicy>) =>
    new Redeemer({ keys: { keyring: keys.keyring }, ledger, clock, logger: silentLogger(), terminalId: 'till-1', claims: { claimer, policy: () => policyOf(policy) } });
  const cti = (v: Verdict) => ctiHex(v.claims!);
  const rows = (v: Verdict) => ledger.findBySerial(v.serial!);

  it('offline mode: redeems locally without asking, marked offline', async () => {
    const fake = new FakeClaimer({ platform: new Map() });
    const v = verdictOf(await redeemer(fake, { mode: 'offline' }).settle(issue(keys)));
    assert.equal(v.reason, 'ACCEPTED');
    assert.equal(fake.calls.length, 0);
    assert.deepEqual(rows(v).map((r) => [r.offline, r.claim]), [[true, 'none']]);
  });

  it('online-required: ACCEPTED only after the platform claimed it and the ledger committed it, with the scan time sent', async () => {
    const fake = new FakeClaimer({ platform: new Map() });
    const r = redeemer(fake, {});
    const text = issue(keys);
    const v = verdictOf(await r.settle(text));
    assert.equal(v.reason, 'ACCEPTED');
    assert.equal(v.offline, false);
    const [row] = rows(v);
    assert.deepEqual([row!.offline, row!.claim, row!.at], [false, 'claimed', fake.calls[0]!.scannedAt]);
    assert.deepEqual({ ...fake.calls[0], scannedAt: 0 }, { platformId: PLATFORM_ID, ctiHex: cti(v), product: 'sku-1', quantity: 2, consumer: 'consumer-1', scannedAt: 0 });
    // a second scan here: this counter's ledger says so, the platform is not asked again
    clock.advance(1000);
    const again = verdictOf(await r.settle(text));
    assert.equal(again.reason, 'ALREADY_REDEEMED');
    assert.equal(again.redeemedBy, 'till-1');
    assert.equal(fake.calls.length, 1);
  });

  it('online-required: claimed at another branch is ALREADY_REDEEMED with that branch, terminal and time; nothing stored', async () => {
    const platform = new Map<string, FakePlatformRow>();
    const text = issue(keys);
    const other = new FakeClaimer({ platform, terminalId: 'till-9', branchId: 'south' });
    const at = clock.now() - 600_000;
    clock.set(at);
    verdictOf(await redeemer(other, {}).settle(text)); // the other branch's kiosk uses its own ledger in life; here only its claim matters
    ledger.close();
    removeDir(dir);
    dir = tempDir();
    ledger = openTestLedger(dir);
    clock.set(at + 600_000);
    const v = verdictOf(await redeemer(new FakeClaimer({ platform, terminalId: 'till-1', branchId: 'north' }), {}).settle(text));
    assert.deepEqual([v.reason, v.redeemedBy, v.redeemedBranch, v.redeemedAt], ['ALREADY_REDEEMED', 'till-9', 'south', at]);
    assert.match(v.message, /branch south \(terminal till-9\)/);
    assert.equal(ledger.counts().redemptions, 0);
  });

  it('online-required: no answer in time is OFFLINE_CANNOT_REDEEM, never ACCEPTED; the scan is kept released so a late claim is undone', async () => {
    for (const step of [{ kind: 'hang' } as const, { kind: 'no-answer', code: 'UNREACHABLE' } as const, { kind: 'decide', delayMs: 400 } as const]) {
      const fake = new FakeClaimer({ platform: new Map(), defaultStep: step });
      const started = performance.now();
      const v = verdictOf(await redeemer(fake, { timeoutMs: 150 }).settle(issue(keys)));
      const took = performance.now() - started;
      assert.equal(v.reason, 'OFFLINE_CANNOT_REDEEM', step.kind);
      // the reason proves the timeout (a 400 ms 'claimed' waited for would be ACCEPTED); the bound only rules out hanging
      assert.ok(took < 2000, `${step.kind}: answered in ${took} ms`);
      assert.equal(ledger.find(PLATFORM_ID, cti(v)), undefined, 'the coupon is not taken here');
      assert.deepEqual(rows(v).map((r) => [r.claim, r.reversedBy, r.offline]), [['released', 'release', false]]);
    }
    assert.equal(ledger.sync.offlineBacklog(PLATFORM_ID).count, 0);
  });

  it('online-required: killed after the platform claimed, before the commit: the rescan here is ACCEPTED', async () => {
    const platform = new Map<string, FakePlatformRow>();
    const text = issue(keys);
    // the first kiosk process: its claim landed, then it died before ledger.redeem (its ledger never saw the scan)
    const decoded = verifyCoupon(text, keys.keyring, Math.floor(clock.now() / 1000));
    assert.ok(decoded.ok);
    await new FakeClaimer({ platform, terminalId: 'till-1' }).claim({ platformId: PLATFORM_ID, ctiHex: ctiHex(decoded.claims), product: 'sku-1', quantity: 2, consumer: 'consumer-1', scannedAt: clock.now() }, { timeoutMs: 100 });
    assert.equal(ledger.counts().redemptions, 0);
    clock.advance(5000);
    const v = verdictOf(await redeemer(new FakeClaimer({ platform, terminalId: 'till-1' }), {}).settle(text));
    assert.equal(v.reason, 'ACCEPTED');
    assert.deepEqual(rows(v).map((r) => r.claim), ['claimed']);
  });

  it('platform answers revoked (added to the local list), unknown and refused (PLATFORM_REFUSED with the code)', async () => {
    const fake = new FakeClaimer();
    const r = redeemer(fake, {});
    fake.script.push({ kind: 'answer', response: { time: 1, result: 'revoked', ctiHex: 'ab', revokedAt: clock.now() - 1000 } });
    const revoked = verdictOf(await r.settle(issue(keys)));
    assert.equal(revoked.reason, 'REVOKED');
    assert.equal(ledger.isRevoked(PLATFORM_ID, cti(revoked)), true);
    fake.script.push({ kind: 'answer', response: { time: 1, result: 'unknown', ctiHex: 'ab' } });
    const unknown = verdictOf(await r.settle(issue(keys)));
    assert.deepEqual([unknown.reason, unknown.detail], ['PLATFORM_REFUSED', 'UNKNOWN_COUPON']);
    fake.script.push({ kind: 'answer', response: { time: 1, result: 'refused', ctiHex: 'ab', code: 'SCAN_IN_FUTURE', message: 'scan time ahead' } });
    const refused = verdictOf(await r.settle(issue(keys)));
    assert.deepEqual([refused.reason, refused.detail], ['PLATFORM_REFUSED', 'SCAN_IN_FUTURE']);
    assert.equal(ledger.counts().redemptions, 0);
  });

  it('online-preferred: claimed online when it answers; accepted offline within the count limit, then OFFLINE_LIMIT_REACHED', async () => {
    const fake = new FakeClaimer({ platform: new Map(), defaultStep: { kind: 'hang' } });
    const r = redeemer(fake, { mode: 'online-preferred', offlineMaxCount: 2 });
    fake.script.push({ kind: 'decide' });
    const online = verdictOf(await r.settle(issue(keys)));
    assert.deepEqual([online.reason, online.offline], ['ACCEPTED', false]);
    for (let i = 0; i < 2; i++) {
      const v = verdictOf(await r.settle(issue(keys)));
      assert.deepEqual([v.reason, v.offline], ['ACCEPTED', true]);
      assert.deepEqual(rows(v).map((x) => [x.offline, x.claim]), [[true, 'unanswered']]);
    }
    const over = verdictOf(await r.settle(issue(keys)));
    assert.deepEqual([over.reason, over.detail], ['OFFLINE_LIMIT_REACHED', 'max 2 offline']);
    assert.equal(ledger.find(PLATFORM_ID, cti(over)), undefined);
    assert.deepEqual(ledger.sync.offlineBacklog(PLATFORM_ID).count, 2);
  });

  it('online-preferred: the oldest unsent offline redemption too old, or a quantity above the limit: OFFLINE_LIMIT_REACHED', async () => {
    const r = redeemer(new FakeClaimer({ defaultStep: { kind: 'no-answer', code: 'UNREACHABLE' } }), { mode: 'online-preferred', offlineMaxAgeS: 600, offlineMaxQuantity: 2 });
    assert.equal(verdictOf(await r.settle(issue(keys))).reason, 'ACCEPTED');
    const big = verdictOf(await r.settle(issue(keys, { quantity: 3 })));
    assert.deepEqual([big.reason, big.detail], ['OFFLINE_LIMIT_REACHED', 'max qty 2']);
    clock.advance(600_000);
    assert.equal(verdictOf(await r.settle(issue(keys))).reason, 'ACCEPTED', 'exactly at the age limit');
    clock.advance(1000);
    const old = verdictOf(await r.settle(issue(keys)));
    assert.deepEqual([old.reason, old.detail], ['OFFLINE_LIMIT_REACHED', 'oldest > 10 min']);
  });

  it('a claimer that never settles (breaks its contract) cannot hold the scan: the pipeline times it out', async () => {
    const stuck: Claimer = { claim: () => new Promise<ClaimAnswer>(() => {}), close: async () => {} };
    const started = performance.now();
    const v = verdictOf(await redeemer(stuck, { timeoutMs: 100 }).settle(issue(keys)));
    assert.equal(v.reason, 'OFFLINE_CANNOT_REDEEM');
    assert.ok(performance.now() - started < 2000, 'timed out, not held');
    const throwing: Claimer = { claim: () => Promise.reject(new Error('boom')), close: async () => {} };
    assert.equal(verdictOf(await redeemer(throwing, { mode: 'online-preferred' }).settle(issue(keys))).reason, 'ACCEPTED');
  });

  it('redeem() (synchronous) is refused on a redeemer with claims: settle() answers', () => {
    const r = redeemer(new FakeClaimer({ platform: new Map() }), {});
    assert.throws(() => r.redeem('not a coupon'), /with claims use settle\(\)/);
  });
});
