import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { FakeClock } from '../../drivers/clock/port.js';
import { LedgerError, type Ledger } from '../../device/ledger/types.js';
import { memoryLogger, silentLogger } from '../../device/logger.js';
import { Redeemer } from '../../device/pipeline.js';
import { PLATFORM_ID, issue, makeKeys, openTestLedger, removeDir, tempDir, type TestKeys } from './helpers.js';
import { reasonOf } from './kiosk-harness.js';

const YEAR_MS = 365 * 86_400_000;

describe('device/pipeline Redeemer', () => {
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

  const redeemer = (over: Partial<ConstructorParameters<typeof Redeemer>[0]> = {}) =>
    new Redeemer({ keys: { keyring: keys.keyring }, ledger, clock, logger: silentLogger(), terminalId: 'till-1', ...over });

  it('accepts a valid coupon once, then says when and where it was first redeemed', () => {
    const r = redeemer();
    const text = issue(keys);
    const first = r.redeem(text);
    assert.equal(first.kind, 'verdict');
    assert.equal(first.kind === 'verdict' && first.reason, 'ACCEPTED');
    assert.ok(first.serial && ledger.find(PLATFORM_ID, Buffer.from(first.claims!.cti).toString('hex')));
    clock.advance(1);
    const second = r.redeem(text);
    assert.equal(second.kind === 'verdict' && second.reason, 'ALREADY_REDEEMED');
    assert.equal(second.kind === 'verdict' && second.redeemedBy, 'till-1');
    assert.equal(second.kind === 'verdict' && second.redeemedAt, first.at);
    assert.equal(ledger.counts().redemptions, 1);
  });

  it('logs every attempt with the hash of the text, never the text', () => {
    const { logger, lines } = memoryLogger();
    const r = redeemer({ logger });
    const text = issue(keys);
    r.redeem(text);
    r.redeem('garbage');
    const hash = createHash('sha256').update(text).digest('hex');
    assert.equal(ledger.counts().scans, 2);
    assert.equal(ledger.lastScan()?.reason, 'NOT_A_COUPON');
    assert.ok(lines.some((l) => l['textHash'] === hash && l['reason'] === 'ACCEPTED'));
    assert.ok(!JSON.stringify(lines).includes(text.slice(0, 40)));
  });

  it('gives REVOKED for a revoked serial, and records nothing', () => {
    const cti = randomBytes(12);
    ledger.addRevocations(PLATFORM_ID, [cti.toString('hex')], Date.now());
    const v = redeemer().redeem(issue(keys, { cti }));
    assert.equal(v.kind === 'verdict' && v.reason, 'REVOKED');
    assert.equal(ledger.counts().redemptions, 0);
  });

  it('turns a ledger failure into a fault, never ACCEPTED, and logs it', () => {
    const { logger, lines } = memoryLogger();
    const failing = { ...bind(ledger), redeem: () => { throw new LedgerError('LEDGER_DISK_FULL', 'database or disk is full'); } } as Ledger;
    const v = redeemer({ ledger: failing, logger }).redeem(issue(keys));
    assert.equal(v.kind, 'fault');
    assert.equal(v.kind === 'fault' && v.fault, 'DISK_FULL');
    assert.equal(v.kind === 'fault' && v.code, 'LEDGER_DISK_FULL');
    assert.ok(lines.some((l) => l['level'] === 50 && l['fault'] === 'DISK_FULL'));
  });

  it('a read-only ledger is a LEDGER_ERROR fault', () => {
    const failing = { ...bind(ledger), redeem: () => { throw new LedgerError('LEDGER_READ_ONLY', 'attempt to write a readonly database'); } } as Ledger;
    const v = redeemer({ ledger: failing }).redeem(issue(keys));
    assert.ok(v.kind === 'fault' && v.fault === 'LEDGER_ERROR' && v.code === 'LEDGER_READ_ONLY');
  });

  it('clock set back a year still rejects an expired coupon: the verified iat raised the floor', () => {
    const r = redeemer();
    const now = Math.floor(clock.now() / 1000);
    assert.equal(r.redeem(issue(keys, {}, now)).kind, 'verdict');
    assert.ok(ledger.trustedTime() >= now - 60);
    clock.set(clock.now() - YEAR_MS);
    // expired a day ago by real time, valid by the wrong clock
    const stale = issue(keys, { iat: now - 30 * 86_400, exp: now - 86_400 });
    const v = r.redeem(stale);
    assert.equal(v.kind === 'verdict' && v.reason, 'EXPIRED');
    assert.equal(v.clockWarning, true);
  });

  it('a clock set forward does not raise the floor, nor does a refused coupon; only an accepted coupon\'s iat does', () => {
    const r = redeemer();
    const realMs = clock.now();
    clock.set(realMs + YEAR_MS);
    r.redeem('not a coupon');
    assert.equal(ledger.trustedTime(), 0);
    const now = Math.floor(realMs / 1000);
    const expired = r.redeem(issue(keys, { iat: now - 5 }, now));
    assert.equal(expired.kind === 'verdict' && expired.reason, 'EXPIRED', 'judged by the forward clock');
    assert.equal(ledger.trustedTime(), 0, 'issue 7: a verified but refused coupon no longer raises the floor');
    clock.set(realMs);
    assert.equal(reasonOf(r.redeem(issue(keys, { iat: now - 5 }, now))), 'ACCEPTED');
    assert.equal(ledger.trustedTime(), now - 5);
  });

  it('two scans of one coupon 1 ms apart: exactly one ACCEPTED', () => {
    const r = redeemer();
    const text = issue(keys);
    const a = r.redeem(text);
    clock.advance(1);
    const b = r.redeem(text);
    const reasons = [a, b].map((v) => (v.kind === 'verdict' ? v.reason : v.fault));
    assert.deepEqual(reasons, ['ACCEPTED', 'ALREADY_REDEEMED']);
  });

  it('answers garbage, huge, binary and empty input with NOT_A_COUPON', () => {
    const r = redeemer();
    for (const text of ['', '   ', 'hello', 'x'.repeat(10_000), '\u0000\u0001\uFFFD\u00ff', '2G' + '@'.repeat(50)]) {
      const v = r.redeem(text);
      assert.equal(v.kind === 'verdict' && v.reason, 'NOT_A_COUPON', JSON.stringify(text.slice(0, 20)));
    }
  });
});

/** The ledger's methods bound, so a test can override one and keep the rest. */
function bind(ledger: Ledger): Ledger {
  const out = {} as Record<string, unknown>;
  for (const k of Object.getOwnPropertyNames(Object.getPrototypeOf(ledger)) as (keyof Ledger)[]) {
    const f = ledger[k];
    if (typeof f === 'function') out[k] = (f as (...a: unknown[]) => unknown).bind(ledger);
  }
  return out as unknown as Ledger;
}
