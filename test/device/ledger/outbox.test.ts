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
    pendingUpload: one(`SELECT count(*) FROM outbox WHERE state IN ('pending', 'held')`),
    notExported: one('SELECT count(*) FROM outbox o WHERE seq > coalesce((SELECT seq FROM export_marks m WHERE m.platform_id = o.platform_id), 0)'),
    scans: one('SELECT count(*) FROM scans'),
    revocations: one('SELECT count(*) FROM revocations'),
    rejected: one(`SELECT count(*) FROM outbox WHERE state = 'rejected'`),
    reversals: one(`SELECT count(*) FROM outbox WHERE kind = 'reverse'`),
    conflicts: one('SELECT count(*) FROM conflicts'),
  };
  db.close();
  return counts;
}

const party = (terminalId: string, scannedAt: number) => ({ terminalId, branchId: 'north', scannedAt, receivedAt: scannedAt + 1, offline: true });

describe('ledger outbox (migration 3)', () => {
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

  it('a redemption and its redeem entry are one transaction; entries come out per platform in seq order', () => {
    for (let i = 0; i < 3; i++) ledger.redeem(input(i, { platformId: i === 1 ? 'plat-b' : 'plat-a', offline: i !== 2, claim: i === 2 ? 'claimed' : 'none' }));
    const a = ledger.sync.pending('plat-a', 10);
    assert.deepEqual(a.map((e) => [e.kind, e.serial, e.offline, e.scannedAt === e.at]), [['redeem', 'SER-0', true, true], ['redeem', 'SER-2', false, true]]);
    assert.deepEqual(ledger.sync.pending('plat-b', 10).map((e) => e.serial), ['SER-1']);
    assert.ok(a[0]!.seq < a[1]!.seq);
    assert.equal(ledger.find('plat-a', input(2).ctiHex)?.claim, 'claimed');
    assert.deepEqual(ledger.counts(), { redemptions: 3, pendingUpload: 3, notExported: 3, scans: 0, revocations: 0, rejected: 0, reversals: 0, conflicts: 0 });
  });

  it('a reversal is a compensating entry that frees the coupon; the row stays; a second reversal is refused', () => {
    const first = ledger.redeem(input(7));
    assert.ok(first.ok);
    assert.equal(ledger.redeem(input(7, { at: input(7).at + 10 })).ok, false, 'one live redemption per coupon');
    const rev = ledger.reverse(first.redemption.id, first.redemption.at + 1000);
    assert.ok(rev.ok);
    assert.equal(rev.redemption.reversedAt, first.redemption.at + 1000);
    assert.equal(rev.redemption.reversedBy, 'cashier');
    assert.equal(ledger.find('plat-a', input(7).ctiHex), undefined);
    assert.deepEqual(ledger.reverse(first.redemption.id, first.redemption.at + 2000).ok, false);
    assert.equal(ledger.reverse(999, 1).ok, false);
    const again = ledger.redeem(input(7, { at: input(7).at + 5000 }));
    assert.ok(again.ok, 'the coupon can be redeemed anew');
    assert.deepEqual(ledger.findBySerial('SER-7').map((r) => [r.id, r.reversedAt === null]), [[again.redemption.id, true], [first.redemption.id, false]]);
    assert.deepEqual(ledger.sync.pending('plat-a', 10).map((e) => [e.kind, e.scannedAt, e.at]), [
      ['redeem', input(7).at, input(7).at],
      ['reverse', input(7).at, input(7).at + 1000],
      ['redeem', input(7).at + 5000, input(7).at + 5000],
    ]);
    // a clock set back since the scan: the reversal never predates what it undoes
    const late = ledger.reverse(again.redemption.id, 5);
    assert.ok(late.ok && late.redemption.reversedAt === again.redemption.at);
  });

  it('a released claim is a row born reversed with only a reverse entry; it never takes the coupon', () => {
    const { redemption, seq } = ledger.release(input(3, { offline: false }), input(3).at + 1600);
    assert.equal(redemption.claim, 'released');
    assert.equal(redemption.reversedBy, 'release');
    assert.equal(redemption.upload, null, 'no redeem entry');
    assert.deepEqual(ledger.sync.pending('plat-a', 10).map((e) => [e.seq, e.kind]), [[seq, 'reverse']]);
    assert.ok(ledger.redeem(input(3)).ok);
  });

  it('answers: sent and rejected leave the pending set, the first answer stands, held entries wait for a restart', () => {
    for (let i = 0; i < 4; i++) ledger.redeem(input(i));
    const [a, b, c, d] = ledger.sync.pending('plat-a', 10);
    assert.equal(ledger.sync.answer('plat-a', [{ seq: a!.seq, state: 'sent', result: 'recorded' }, { seq: b!.seq, state: 'rejected', result: 'refused', detail: 'COUPON_MISMATCH: quantity' }], 5000), 2);
    assert.equal(ledger.sync.answer('plat-a', [{ seq: a!.seq, state: 'rejected', result: 'unknown' }], 6000), 0, 'a repeat answer changes nothing');
    ledger.sync.hold(c!.seq, 'VALIDATION_FAILED: records/0/product', 7000);
    assert.deepEqual(ledger.sync.pending('plat-a', 10).map((e) => e.seq), [d!.seq]);
    assert.deepEqual(ledger.sync.counts('plat-a'), { pending: 2, held: 1, rejected: 1, conflicts: 0 });
    assert.deepEqual(ledger.sync.attention().map((e) => [e.seq, e.state, e.result, e.detail]), [
      [c!.seq, 'held', null, 'VALIDATION_FAILED: records/0/product'],
      [b!.seq, 'rejected', 'refused', 'COUPON_MISMATCH: quantity'],
    ]);
    const r = ledger.find('plat-a', input(0).ctiHex);
    assert.deepEqual([r?.upload, r?.uploadResult, r?.uploadedAt], ['sent', 'recorded', 5000]);
    assert.equal(ledger.sync.state('plat-a').lastUploadAt, 6000, 'the platform answered then, even if nothing changed');
    assert.equal(ledger.sync.releaseHeld(), 1);
    assert.deepEqual(ledger.sync.pending('plat-a', 10).map((e) => e.seq), [c!.seq, d!.seq]);
    assert.deepEqual(ledger.counts(), countsByScanning(file));
  });

  it('the outbox is append-only and its facts never change (triggers, not only code)', () => {
    ledger.redeem(input(1));
    ledger.close();
    const db = new Database(file);
    assert.throws(() => db.prepare('DELETE FROM outbox').run(), /append-only/);
    assert.throws(() => db.prepare('UPDATE outbox SET at = 1').run(), /facts never change/);
    assert.throws(() => db.prepare(`INSERT INTO redemptions (platform_id, cti_hex, serial, product, quantity, merchant_id, consumer, iat, exp, at, terminal_id, text_hash, offline, claim)
      SELECT platform_id, cti_hex, serial, product, quantity, merchant_id, consumer, iat, exp, at, terminal_id, text_hash, offline, claim FROM redemptions`).run(), /UNIQUE/);
    db.close();
    ledger = open(file);
  });

  it('offline backlog: unsent offline redemptions of one platform, not reversed ones or claimed ones', () => {
    ledger.redeem(input(1, { at: 1000 }));
    ledger.redeem(input(2, { at: 500, offline: false, claim: 'claimed' }));
    const r = ledger.redeem(input(3, { at: 800 }));
    ledger.redeem(input(4, { at: 700, platformId: 'plat-b' }));
    assert.deepEqual(ledger.sync.offlineBacklog('plat-a'), { count: 2, oldestAt: 800 });
    assert.ok(r.ok);
    ledger.reverse(r.redemption.id, 900);
    const [first] = ledger.sync.pending('plat-a', 1);
    ledger.sync.answer('plat-a', [{ seq: first!.seq, state: 'sent', result: 'recorded' }], 2000);
    assert.deepEqual(ledger.sync.offlineBacklog('plat-a'), { count: 0, oldestAt: null });
  });

  it('revocation pages and conflicts keep their cursors; a conflict learned twice is one row', () => {
    assert.equal(ledger.sync.addRevocations('plat-a', [{ ctiHex: 'aa'.repeat(8), revokedAt: 5 }], 7, false, 100), 1);
    assert.equal(ledger.isRevoked('plat-a', 'aa'.repeat(8)), true);
    assert.deepEqual([ledger.sync.state('plat-a').revocationsCursor, ledger.sync.state('plat-a').revocationsAt], [7, null]);
    ledger.sync.addRevocations('plat-a', [], 7, true, 200);
    assert.equal(ledger.sync.state('plat-a').revocationsAt, 200);
    const lost = { ctiHex: 'bb'.repeat(8), noticeSeq: null, side: 'lost' as const, first: party('t-1', 10), second: party('t-me', 20) };
    assert.equal(ledger.sync.addConflicts('plat-a', [lost], undefined, 300), 1);
    assert.equal(ledger.sync.addConflicts('plat-a', [{ ...lost, noticeSeq: 4 }], 4, 400), 0, 'the notice of the same conflict');
    assert.deepEqual(ledger.sync.conflicts().map((c) => [c.ctiHex, c.noticeSeq, c.side, c.seenAt]), [['bb'.repeat(8), 4, 'lost', 300]]);
    assert.equal(ledger.sync.state('plat-a').conflictsCursor, 4);
    assert.deepEqual(ledger.counts(), countsByScanning(file));
  });

  it('property: the maintained counts always equal the counts of the tables', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('redeem' as const), n: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('reverse' as const), n: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('release' as const), n: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('answer' as const), n: fc.integer({ min: 0, max: 4 }), reject: fc.boolean() }),
      fc.record({ kind: fc.constant('hold' as const), n: fc.integer({ min: 0, max: 4 }) }),
      fc.record({ kind: fc.constant('export' as const), n: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('scan' as const), n: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('revoke' as const), n: fc.integer({ min: 0, max: 30 }) }),
      fc.record({ kind: fc.constant('conflict' as const), n: fc.integer({ min: 0, max: 30 }) }),
    );
    let batch = 0;
    fc.assert(
      fc.property(fc.array(op, { maxLength: 12 }), (ops) => {
        for (const o of ops) apply(o);
        assert.deepEqual(ledger.counts(), countsByScanning(file));
      }),
      { numRuns: 40 },
    );

    function apply(o: { kind: string; n: number; reject?: boolean }): void {
      const live = ledger.find('plat-a', input(o.n).ctiHex);
      if (o.kind === 'redeem') ledger.redeem(input(o.n));
      if (o.kind === 'reverse' && live) ledger.reverse(live.id, live.at + 1);
      if (o.kind === 'release') ledger.release(input(o.n), input(o.n).at + 1);
      const pending = ledger.sync.pending('plat-a', o.n);
      if (o.kind === 'answer') ledger.sync.answer('plat-a', pending.map((e) => ({ seq: e.seq, state: o.reject ? 'rejected' : 'sent', result: o.reject ? 'unknown' : 'recorded' })), 1);
      if (o.kind === 'hold' && pending[0]) ledger.sync.hold(pending[0].seq, 'unreadable', 1);
      if (o.kind === 'export') exportSome(o.n);
      if (o.kind === 'scan') ledger.logScan({ at: o.n, reason: 'EXPIRED', textHash: 'aa' });
      if (o.kind === 'revoke') ledger.addRevocations('plat-a', [input(o.n).ctiHex], 1);
      if (o.kind === 'conflict') ledger.sync.addConflicts('plat-a', [{ ctiHex: input(o.n).ctiHex, noticeSeq: null, side: 'won', first: party('t-me', 1), second: party('t-2', o.n) }], undefined, 1);
    }

    function exportSome(max: number): void {
      const b = ledger.exports.openBatch('plat-a') ?? ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T', maxRecords: max, createdAt: 1 });
      if (!b) return;
      const rows = ledger.exports.records(b, 0, b.maxRecords);
      ledger.exports.sign(b.id, { count: rows.length, firstAt: 0, lastAt: 0, lastSeq: rows.at(-1)!.seq, dataSha256: 'a', dataBytes: 1, manifest: new Uint8Array([1]), manifestSha256: `m${++batch}` });
      ledger.exports.commit(b.id, 1);
    }
  });
});
