import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Ledger } from '../../../device/ledger/index.js';
import { input, open, TempDirs } from './helpers.js';

describe('ledger redeem', () => {
  const tmp = new TempDirs();
  let ledger: Ledger;
  beforeEach(() => {
    ledger = open(tmp.dbPath());
  });
  afterEach(() => {
    ledger.close();
    tmp.cleanup();
  });

  it('accepts a coupon once and reports the first redemption after', () => {
    const first = ledger.redeem(input(1, { at: 1000, terminalId: 'counter-1' }));
    assert.equal(first.ok, true);
    const second = ledger.redeem(input(1, { at: 2000, terminalId: 'counter-2', textHash: 'cd'.repeat(32) }));
    assert.equal(second.ok, false);
    if (second.ok || !first.ok) return;
    assert.equal(second.reason, 'ALREADY_REDEEMED');
    assert.equal(second.first.at, 1000);
    assert.equal(second.first.terminalId, 'counter-1');
    assert.deepEqual(second.first, first.redemption);
    assert.equal(ledger.counts().redemptions, 1);
  });

  it('returns the stored redemption exactly as given, title optional', () => {
    const withTitle = ledger.redeem(input(1));
    const { title: _unused, ...noTitle } = input(2);
    const without = ledger.redeem(noTitle);
    assert.ok(withTitle.ok && without.ok);
    assert.deepEqual(ledger.find('plat-a', input(1).ctiHex), withTitle.redemption);
    assert.deepEqual(ledger.find('plat-a', input(2).ctiHex), without.redemption);
    assert.equal('title' in without.redemption, false);
    assert.equal(ledger.find('plat-a', 'ffff'), undefined);
  });

  it('treats the same serial from two platforms as two coupons', () => {
    assert.equal(ledger.redeem(input(5, { platformId: 'plat-a' })).ok, true);
    assert.equal(ledger.redeem(input(5, { platformId: 'plat-b' })).ok, true);
    assert.equal(ledger.counts().redemptions, 2);
  });

  it('lists newest first, with limit and offset', () => {
    for (let i = 0; i < 5; i++) ledger.redeem(input(i));
    assert.deepEqual(
      ledger.list({ limit: 2, offset: 1 }).map((r) => r.serial),
      ['SER-3', 'SER-2'],
    );
    assert.equal(ledger.list().length, 5);
  });

  it('rejects a malformed redemption (fractional quantity, cti not lowercase hex) without recording it', () => {
    assert.throws(() => ledger.redeem(input(1, { quantity: 1.5 })), { code: 'LEDGER_WRITE_FAILED' });
    assert.throws(() => ledger.redeem(input(1, { ctiHex: '0A0B' })), { code: 'LEDGER_WRITE_FAILED' });
    assert.throws(() => ledger.redeem(input(1, { ctiHex: 'abc' })), { code: 'LEDGER_WRITE_FAILED' });
    assert.throws(() => ledger.addRevocations('plat-a', ['0A'], 1), { code: 'LEDGER_WRITE_FAILED' });
    assert.equal(ledger.counts().redemptions, 0);
    assert.equal(ledger.counts().revocations, 0);
  });

  it('property: any sequence of scans gives exactly one ok per (platform, cti), and later ones point at it', () => {
    let run = 0;
    const scan = fc.record({ platform: fc.constantFrom('a', 'b'), serial: fc.integer({ min: 0, max: 5 }) });
    fc.assert(
      fc.property(fc.array(scan, { maxLength: 25 }), (scans) => {
        run++; // a fresh platform namespace per run keeps one ledger file for the whole property
        const firstIds = new Map<string, number>();
        for (const s of scans) {
          const key = `${run}-${s.platform}/${s.serial}`;
          const out = ledger.redeem(input(s.serial, { platformId: `${run}-${s.platform}` }));
          const expectedFirst = firstIds.get(key);
          if (expectedFirst === undefined) {
            assert.ok(out.ok, `first scan of ${key} accepted`);
            firstIds.set(key, out.redemption.id);
          } else {
            assert.ok(!out.ok, `repeat scan of ${key} refused`);
            assert.equal(out.first.id, expectedFirst);
          }
        }
        const stored = ledger.list({ limit: 1000 }).filter((r) => r.platformId.startsWith(`${run}-`));
        assert.equal(stored.length, firstIds.size);
      }),
      { numRuns: 60 },
    );
  });
});
