import assert from 'node:assert/strict';
import type { ScanRecord } from '../../../device/ledger/index.js';
import { open, TempDirs } from './helpers.js';

describe('ledger trusted time, revocations and scan log', () => {
  const tmp = new TempDirs();
  afterEach(() => tmp.cleanup());

  it('trusted time starts at 0, only rises, and survives a reopen', () => {
    const file = tmp.dbPath();
    const ledger = open(file);
    assert.equal(ledger.trustedTime(), 0);
    assert.equal(ledger.raiseTrustedTime(1_800_000_000, 'coupon iat'), 1_800_000_000);
    assert.equal(ledger.raiseTrustedTime(1_700_000_000, 'coupon iat'), 1_800_000_000, 'never lowered');
    assert.equal(ledger.raiseTrustedTime(1_800_000_500.9, 'platform'), 1_800_000_500);
    ledger.close();
    const again = open(file);
    assert.equal(again.trustedTime(), 1_800_000_500);
    assert.equal(again.raiseTrustedTime(0, 'clock set back'), 1_800_000_500);
    assert.throws(() => again.raiseTrustedTime(Number.NaN, 'bad'), RangeError);
    again.close();
  });

  it('logScan with a raise writes the scan and the higher floor in one transaction, never lowering it', () => {
    const file = tmp.dbPath();
    const ledger = open(file);
    ledger.logScan({ at: 1, reason: 'ACCEPTED', textHash: 'aa' }, { t: 1_800_000_000.7, source: 'coupon-iat:p' });
    assert.equal(ledger.trustedTime(), 1_800_000_000);
    ledger.logScan({ at: 2, reason: 'EXPIRED', textHash: 'bb' }, { t: 1_700_000_000, source: 'coupon-iat:p' });
    assert.equal(ledger.trustedTime(), 1_800_000_000, 'never lowered');
    assert.equal(ledger.counts().scans, 2);
    assert.throws(() => ledger.logScan({ at: 3, reason: 'ACCEPTED', textHash: 'cc' }, { t: Number.NaN, source: 'x' }), RangeError);
    assert.equal(ledger.counts().scans, 2, 'nothing written for a bad raise');
    ledger.close();
    const again = open(file);
    assert.equal(again.trustedTime(), 1_800_000_000);
    again.close();
  });

  it('revocations: added once each, then reported revoked', () => {
    const ledger = open(tmp.dbPath());
    assert.equal(ledger.addRevocations('plat-a', ['01', '02', '02'], 10), 2);
    assert.equal(ledger.addRevocations('plat-a', ['02', '03'], 11), 1);
    assert.equal(ledger.isRevoked('plat-a', '02'), true);
    assert.equal(ledger.isRevoked('plat-b', '02'), false);
    assert.equal(ledger.isRevoked('plat-a', '04'), false);
    assert.equal(ledger.counts().revocations, 3);
    ledger.close();
  });

  it('logs scans and returns the last one with only the fields it had', () => {
    const ledger = open(tmp.dbPath());
    assert.equal(ledger.lastScan(), undefined);
    const full: ScanRecord = { at: 5, reason: 'ACCEPTED', textHash: 'aa', platformId: 'p', ctiHex: '01', serial: 'S', latencyMs: 1.25 };
    ledger.logScan(full);
    assert.deepEqual(ledger.lastScan(), full);
    ledger.logScan({ at: 6, reason: 'MALFORMED', textHash: 'bb' });
    assert.deepEqual(ledger.lastScan(), { at: 6, reason: 'MALFORMED', textHash: 'bb' });
    assert.equal(ledger.counts().scans, 2);
    ledger.close();
  });

  it('keeps the scan log bounded to the newest rows, pruning in steps', () => {
    const ledger = open(tmp.dbPath(), { scanLogLimit: 10, pruneEvery: 5 });
    for (let i = 1; i <= 23; i++) ledger.logScan({ at: i, reason: 'EXPIRED', textHash: 'aa' });
    const scans = ledger.counts().scans;
    assert.ok(scans >= 10 && scans < 10 + 5, `between the limit and one pruning step over it: ${scans}`);
    assert.equal(ledger.lastScan()?.at, 23);
    ledger.close();
  });
});
