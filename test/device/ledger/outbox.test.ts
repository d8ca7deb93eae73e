import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import type { Ledger, LedgerCounts } from '../../../device/ledger/index.js';
import { input, open, TempDirs } from './helpers.js';

/** The counts recomputed the slow way from the tables, to check the maintained counters. */
function countsByScanning(file: string): LedgerCounts {
  const db = new Database(file, { readonly: true });
  const one = (sql: string) => Number(db.prepare(sql).pluck().get());
  const counts = {
    redemptions: one('SELECT count(*) FROM redemptions'),
    pendingUpload: one('SELECT count(*) FROM redemptions WHERE uploaded_at IS NULL'),
    notExported: one('SELECT count(*) FROM redemptions WHERE exported_at IS NULL'),
    scans: one('SELECT count(*) FROM scans'),
    revocations: one('SELECT count(*) FROM revocations'),
  };
  db.close();
  return counts;
}

describe('ledger outbox and export bookkeeping', () => {
  const tmp = new TempDirs();
  let file: string;
  let ledger: Ledger;
  beforeEach(() => {
    file = tmp.dbPath();
    ledger = open(file);
  });
  afterEach(() => {
    ledger.close();
    tmp.cleanup();
  });

  it('a new redemption is pending upload and not exported, oldest first', () => {
    for (let i = 0; i < 3; i++) ledger.redeem(input(i));
    assert.deepEqual(
      ledger.pendingUploads(10).map((r) => r.serial),
      ['SER-0', 'SER-1', 'SER-2'],
    );
    assert.deepEqual(
      ledger.notExported(2).map((r) => r.serial),
      ['SER-0', 'SER-1'],
    );
    assert.deepEqual(ledger.counts(), { redemptions: 3, pendingUpload: 3, notExported: 3, scans: 0, revocations: 0 });
  });

  it('markUploaded and markExported move rows out of their sets, once', () => {
    const ids = [0, 1, 2, 3].map((i) => {
      const out = ledger.redeem(input(i));
      assert.ok(out.ok);
      return out.redemption.id;
    });
    ledger.markUploaded([ids[0]!, ids[2]!], 5000);
    ledger.markUploaded([ids[0]!], 9999); // a repeat confirmation keeps the first time
    ledger.markExported([ids[1]!], 6000, 'batch-1');
    assert.deepEqual(
      ledger.pendingUploads(10).map((r) => r.id),
      [ids[1], ids[3]],
    );
    assert.deepEqual(
      ledger.notExported(10).map((r) => r.id),
      [ids[0], ids[2], ids[3]],
    );
    assert.equal(ledger.find('plat-a', input(0).ctiHex)?.uploadedAt, 5000);
    assert.equal(ledger.find('plat-a', input(1).ctiHex)?.exportedAt, 6000);
    assert.deepEqual(ledger.counts(), { redemptions: 4, pendingUpload: 2, notExported: 3, scans: 0, revocations: 0 });
    assert.deepEqual(ledger.counts(), countsByScanning(file));
  });

  it('property: the maintained counts always equal the counts of the tables', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('redeem' as const), n: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('upload' as const), n: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('export' as const), n: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('scan' as const), n: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('revoke' as const), n: fc.integer({ min: 0, max: 30 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
        for (const o of ops) {
          if (o.kind === 'redeem') ledger.redeem(input(o.n));
          if (o.kind === 'upload') ledger.markUploaded(ledger.pendingUploads(o.n).map((r) => r.id), 1);
          if (o.kind === 'export') ledger.markExported(ledger.notExported(o.n).map((r) => r.id), 1, 'b');
          if (o.kind === 'scan') ledger.logScan({ at: o.n, reason: 'EXPIRED', textHash: 'aa' });
          if (o.kind === 'revoke') ledger.addRevocations('plat-a', [input(o.n).ctiHex], 1);
        }
        assert.deepEqual(ledger.counts(), countsByScanning(file));
      }),
      { numRuns: 40 },
    );
  });
});
