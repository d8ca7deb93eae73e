import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { FakeClock } from '../../drivers/clock/port.js';
import type { Ledger } from '../../device/ledger/types.js';
import { memoryLogger, silentLogger } from '../../device/logger.js';
import { Redeemer } from '../../device/pipeline.js';
import { CLOCK_EPOCH_S, MAX_AHEAD_S, boundRaise, clockPlausible, raiseTrustedTime } from '../../device/trusted-time.js';
import { openLedger } from '../../device/ledger/index.js';
import { issue, makeKeys, openTestLedger, removeDir, tempDir, type TestKeys } from './helpers.js';
import { reasonOf } from './kiosk-harness.js';
import { KIOSK_CLI, provisionWithCli } from './spawn-kiosk.js';

const DAY = 86_400;
const YEAR = 365 * DAY;

describe('device/trusted-time', () => {
  const now = Math.floor(Date.now() / 1000);

  describe('bounds', () => {
    it('a plausible clock caps every raise at MAX_AHEAD_S past it', () => {
      assert.ok(clockPlausible(now, now + MAX_AHEAD_S));
      assert.equal(boundRaise(now + YEAR, { systemS: now, floorS: 0 }), now + MAX_AHEAD_S);
      assert.equal(boundRaise(now - 5, { systemS: now, floorS: 0 }), now - 5);
      assert.equal(boundRaise(now + YEAR, { systemS: now, floorS: now + MAX_AHEAD_S }), now + MAX_AHEAD_S, 'no creep past the clock');
    });

    it('never past the coupon\'s own validity', () => {
      assert.equal(boundRaise(now + YEAR, { systemS: 0, floorS: 0, notAfter: now + 100 }), now + 100);
    });

    it('a clock known to be wrong (before this software, or far behind the floor) lets signed times move the floor', () => {
      assert.equal(clockPlausible(0, 0), false);
      assert.equal(clockPlausible(CLOCK_EPOCH_S, 0), true);
      assert.equal(clockPlausible(now, now + MAX_AHEAD_S + 1), false);
      assert.equal(boundRaise(now, { systemS: 0, floorS: 0 }), now, 'an RTC-less board booted in 1970 still learns the time');
      assert.equal(boundRaise(now + DAY, { systemS: now - YEAR, floorS: now }), now + DAY);
    });

    it('raiseTrustedTime (the entry point for signed platform time) applies the same bounds', () => {
      const dir = tempDir();
      const ledger = openTestLedger(dir);
      try {
        const clock = new FakeClock(now * 1000);
        assert.equal(raiseTrustedTime({ ledger, clock }, now + YEAR, 'platform-time:p'), now + MAX_AHEAD_S);
        assert.equal(raiseTrustedTime({ ledger, clock }, now - DAY, 'platform-time:p'), now + MAX_AHEAD_S, 'never lowered');
      } finally {
        ledger.close();
        removeDir(dir);
      }
    });
  });

  describe('through the pipeline (issue 7: one coupon with a future iat must not disable the kiosk)', () => {
    let dir: string;
    let ledger: Ledger;
    let keys: TestKeys;
    let clock: FakeClock;
    before(() => (keys = makeKeys()));
    beforeEach(() => {
      dir = tempDir();
      ledger = openTestLedger(dir);
      clock = new FakeClock(now * 1000);
    });
    afterEach(() => {
      ledger.close();
      removeDir(dir);
    });
    const redeemer = (logger = silentLogger()) => new Redeemer({ keys: { keyring: keys.keyring }, ledger, clock, logger, terminalId: 'till-1' });

    it('a refused coupon (WRONG_MERCHANT, EXPIRED) with an iat a year ahead leaves the floor alone', () => {
      const r = redeemer();
      assert.equal(reasonOf(r.redeem(issue(keys, { aud: 'OTHER-SHOP', iat: now + YEAR, exp: now + YEAR + 40 * DAY }, now))), 'WRONG_MERCHANT');
      assert.equal(reasonOf(r.redeem(issue(keys, { iat: now + YEAR, exp: now - 1 }, now))), 'EXPIRED');
      assert.equal(ledger.trustedTime(), 0);
      assert.equal(reasonOf(r.redeem(issue(keys, {}, now))), 'ACCEPTED');
    });

    it('an accepted coupon from a platform whose clock is a year ahead moves the floor at most MAX_AHEAD_S, however many', () => {
      const { logger, lines } = memoryLogger('warn');
      const r = redeemer(logger);
      for (let i = 0; i < 5; i++) assert.equal(reasonOf(r.redeem(issue(keys, { iat: now + YEAR, exp: now + YEAR + DAY }, now))), 'ACCEPTED');
      assert.equal(ledger.trustedTime(), now + MAX_AHEAD_S);
      assert.ok(lines.some((l) => String(l['msg']).includes('ahead of this kiosk')), 'the clamp is logged');
      const genuine = r.redeem(issue(keys, { iat: now - 60, exp: now + DAY }, now));
      assert.equal(reasonOf(genuine), 'ACCEPTED', 'genuine coupons are still accepted');
      assert.equal(genuine.clockWarning, false, 'and nobody is told to fix a clock that is right');
    });

    it('an RTC-less kiosk booted in 1970 takes the accepted coupon\'s iat, never past its exp', () => {
      clock.set(0);
      const r = redeemer();
      assert.equal(reasonOf(r.redeem(issue(keys, { iat: now - 60, exp: now + DAY }, now))), 'ACCEPTED');
      assert.equal(ledger.trustedTime(), now - 60);
      assert.equal(reasonOf(r.redeem(issue(keys, { iat: now + 10 * DAY, exp: now + DAY }, now))), 'ACCEPTED');
      assert.equal(ledger.trustedTime(), now + DAY - 1, 'iat after exp: the floor stops inside the coupon\'s validity');
    });

    it('a technician resets a floor that went too far; recorded in the ledger', () => {
      ledger.raiseTrustedTime(now + YEAR, 'an older kiosk version');
      const expired = redeemer().redeem(issue(keys, {}, now));
      assert.equal(reasonOf(expired), 'EXPIRED');
      assert.equal(expired.clockWarning, true, 'a floor a year ahead: the clock (or the floor) is wrong, and doctor says which');
      assert.deepEqual(ledger.resetTrustedTime(now, 'test'), { from: now + YEAR, to: now });
      assert.equal(reasonOf(redeemer().redeem(issue(keys, {}, now))), 'ACCEPTED');
    });
  });

  it('kiosk clock reset: says what it would do, does it only with --yes, and records it', () => {
    const dir = tempDir();
    try {
      const keys = makeKeys();
      const home = provisionWithCli(dir, keys);
      const env = { ...process.env, KIOSK_LOG_LEVEL: 'warn' };
      const kiosk = (args: string[]): string => execFileSync(process.execPath, [KIOSK_CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
      kiosk(['redeem', '--home', home, issue(keys)]);
      const ledgerFile = path.join(home, 'ledger.sqlite');
      const raw = openLedger(ledgerFile, { logger: silentLogger() });
      raw.raiseTrustedTime(now + YEAR, 'an older kiosk version');
      raw.close();
      assert.throws(() => kiosk(['clock', 'reset', '--home', home]), (e: { status: number; stdout: Buffer }) => e.status === 2 && /run again with --yes/.test(e.stdout.toString()));
      const out = JSON.parse(kiosk(['clock', 'reset', '--home', home, '--to', '2026-12-01T00:00:00Z', '--yes', '--json'])) as Record<string, unknown>;
      assert.deepEqual(out, { done: true, from: new Date((now + YEAR) * 1000).toISOString(), to: '2026-12-01T00:00:00.000Z' });
      const check = openLedger(ledgerFile, { logger: silentLogger(), readonly: true });
      assert.equal(check.trustedTime(), Date.UTC(2026, 11, 1) / 1000);
      check.close();
      assert.throws(() => kiosk(['clock', 'reset', '--home', home, '--to', 'yesterday', '--yes']), (e: { status: number }) => e.status === 2);
    } finally {
      removeDir(dir);
    }
  });
});
