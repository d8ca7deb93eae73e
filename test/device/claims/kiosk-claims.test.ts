/**
 * The kiosk service with claims: scans that arrive while one waits for its
 * claim wait in order, the verdicts stay one at a time and in order, the
 * event loop keeps running, and the claim verdicts have their own screens
 * and signal.
 */
import assert from 'node:assert/strict';
import { FakeClaimer } from '../../../device/claims/fake.js';
import type { ClaimPolicy } from '../../../device/claims/policy.js';
import type { Ledger } from '../../../device/ledger/types.js';
import { issue, makeKeys, openTestLedger, removeDir, tempDir, type TestKeys } from '../helpers.js';
import { buildKiosk, reasonOf, type Harness } from '../kiosk-harness.js';

const policy = (over: Partial<ClaimPolicy> = {}): ClaimPolicy => ({ mode: 'online-required', timeoutMs: 300, offlineMaxCount: 10, offlineMaxAgeS: 3600, offlineMaxQuantity: 10, ...over });

describe('device/kiosk with claim modes (fake claimer)', () => {
  let dir: string;
  let ledger: Ledger;
  let keys: TestKeys;
  let h: Harness;
  before(() => (keys = makeKeys()));
  beforeEach(() => {
    dir = tempDir();
    ledger = openTestLedger(dir);
  });
  afterEach(async () => {
    await h?.kiosk.stop();
    removeDir(dir);
  });

  it('scans during a slow claim wait in order; verdicts one at a time, in order; the event loop keeps ticking', async () => {
    const claimer = new FakeClaimer({ platform: new Map(), defaultStep: { kind: 'decide', delayMs: 120 } });
    h = buildKiosk({ keyring: keys.keyring, ledger, claims: { claimer, policy: () => policy() } });
    await h.kiosk.start();
    const a = issue(keys);
    const b = issue(keys);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 10);
    h.scanner.emitLine(a);
    h.scanner.emitLine('not a coupon');
    h.scanner.emitLine(b);
    h.scanner.emitLine(a);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(h.verdicts.length, 0, 'the first scan waits for its claim; the others wait behind it');
    await h.verdictCount(4);
    clearInterval(ticker);
    assert.deepEqual(h.verdicts.map(reasonOf), ['ACCEPTED', 'NOT_A_COUPON', 'ACCEPTED', 'ALREADY_REDEEMED']);
    assert.equal(claimer.calls.length, 2, 'the rescan of a is refused by the local ledger, not asked again');
    assert.ok(ticks >= 5, `the event loop ran during the claims (${ticks} ticks of 10 ms; a blocked loop gives 0 or 1)`);
    const verdictScreens = h.display.shown.filter((s) => s.kind === 'verdict').map((s) => s.kind === 'verdict' && s.reason);
    assert.deepEqual(verdictScreens, ['ACCEPTED', 'NOT_A_COUPON', 'ACCEPTED', 'ALREADY_REDEEMED']);
  });

  it('no answer: the offline screen and signal (distinct from the other rejections); offline limit likewise', async () => {
    const claimer = new FakeClaimer({ defaultStep: { kind: 'hang' } });
    let mode: ClaimPolicy['mode'] = 'online-required';
    h = buildKiosk({ keyring: keys.keyring, ledger, claims: { claimer, policy: () => policy({ mode, timeoutMs: 100, offlineMaxQuantity: 1 }) } });
    await h.kiosk.start();
    h.scanner.emitLine(issue(keys));
    await h.verdictCount(1);
    mode = 'online-preferred';
    h.scanner.emitLine(issue(keys, { quantity: 2 }));
    await h.verdictCount(2);
    assert.deepEqual(h.verdicts.map(reasonOf), ['OFFLINE_CANNOT_REDEEM', 'OFFLINE_LIMIT_REACHED']);
    assert.deepEqual(h.indicator.history.filter((s) => s !== 'clear'), ['offline', 'offline']);
    const shown = h.display.shown.filter((s) => s.kind === 'verdict');
    assert.deepEqual(shown.map((s) => s.kind === 'verdict' && [s.reason, s.detail]), [['OFFLINE_CANNOT_REDEEM', 'TIMEOUT'], ['OFFLINE_LIMIT_REACHED', 'max qty 1']]);
  });

  it('stop() while a scan waits for its claim: that scan gets its verdict first, then the ledger closes', async () => {
    const claimer = new FakeClaimer({ platform: new Map(), defaultStep: { kind: 'decide', delayMs: 100 } });
    h = buildKiosk({ keyring: keys.keyring, ledger, claims: { claimer, policy: () => policy() } });
    await h.kiosk.start();
    h.scanner.emitLine(issue(keys));
    await new Promise((r) => setTimeout(r, 20));
    await h.kiosk.stop();
    assert.deepEqual(h.verdicts.map(reasonOf), ['ACCEPTED']);
  });
});
