import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { ExportBatch, Ledger, SignedBatchFacts } from '../../../device/ledger/index.js';
import { input, open, TempDirs } from './helpers.js';

function facts(b: ExportBatch, ledger: Ledger, over: Partial<SignedBatchFacts> = {}): SignedBatchFacts {
  const rows = ledger.exports.records(b, 0, b.maxRecords);
  return {
    count: rows.length,
    firstAt: rows[0]?.at ?? 0,
    lastAt: rows.at(-1)?.at ?? 0,
    lastSeq: rows.at(-1)?.seq ?? 0,
    dataSha256: 'aa'.repeat(32),
    dataBytes: 10,
    manifest: new Uint8Array([b.sequence]),
    manifestSha256: String(b.sequence).padStart(64, '0'),
    ...over,
  };
}

function exportAll(ledger: Ledger, b: ExportBatch, at: number): void {
  ledger.exports.sign(b.id, facts(b, ledger));
  ledger.exports.commit(b.id, at);
}

describe('ledger export batches (migrations 2 and 3)', () => {
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

  it('queues per platform, and prepares nothing when nothing is pending', () => {
    assert.deepEqual(ledger.exports.queue(), []);
    for (let i = 0; i < 5; i++) ledger.redeem(input(i, { platformId: i % 2 ? 'p-b' : 'p-a' }));
    assert.deepEqual(ledger.exports.queue(), [
      { platformId: 'p-a', count: 3 },
      { platformId: 'p-b', count: 2 },
    ]);
    assert.equal(ledger.exports.prepare({ platformId: 'p-c', terminalId: 't', maxRecords: 10, createdAt: 1 }), undefined);
  });

  it('fixes the record set at prepare: later redemptions wait for the next batch; the commit moves the watermark exactly', () => {
    for (let i = 0; i < 5; i++) ledger.redeem(input(i));
    ledger.redeem(input(100, { platformId: 'other' }));
    const b = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T1', maxRecords: 4, createdAt: 1000 });
    assert.ok(b);
    assert.equal(b.sequence, 1);
    assert.equal(b.previousSha256, null);
    ledger.redeem(input(5)); // arrives during the export
    const rows = ledger.exports.records(b, 0, 100);
    assert.deepEqual(rows.map((r) => r.serial), ['SER-0', 'SER-1', 'SER-2', 'SER-3', 'SER-4']);
    // the caller stops at maxRecords: the set is then "past the watermark, seq <= lastSeq"
    const signed = ledger.exports.sign(b.id, facts(b, ledger));
    assert.equal(signed.state, 'signed');
    assert.equal(signed.signed?.count, 4);
    assert.deepEqual(ledger.exports.records(signed, 0, 100).map((r) => r.serial), ['SER-0', 'SER-1', 'SER-2', 'SER-3']);
    assert.equal(ledger.counts().notExported, 7);
    const committed = ledger.exports.commit(b.id, 5000);
    assert.equal(committed.state, 'exported');
    assert.equal(ledger.exports.watermark('plat-a'), rows[3]!.seq);
    assert.equal(ledger.counts().notExported, 3); // SER-4, SER-5 and the other platform's
    assert.equal(ledger.find('plat-a', input(3).ctiHex)?.exported, true);
    assert.equal(ledger.find('plat-a', input(4).ctiHex)?.exported, false);
    assert.throws(() => ledger.exports.commit(b.id, 6000), /not in state 'signed'/, 'committed once');
    const db = new Database(file);
    assert.throws(() => db.prepare(`UPDATE export_marks SET seq = 1 WHERE platform_id = 'plat-a'`).run(), /never moves back/);
    db.close();
  });

  it('exports reversals and released claims in ledger order, with their times', () => {
    const a = ledger.redeem(input(1));
    assert.ok(a.ok);
    ledger.reverse(a.redemption.id, a.redemption.at + 5000);
    ledger.redeem(input(1, { at: a.redemption.at + 9000 }));
    ledger.release(input(2), input(2).at + 1600);
    const b = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T1', maxRecords: 10, createdAt: 1 });
    assert.ok(b);
    const rows = ledger.exports.records(b, 0, 10);
    assert.deepEqual(rows.map((r) => [r.kind, r.serial, r.at, r.reversedAt]), [
      ['redeem', 'SER-1', a.redemption.at, null],
      ['reverse', 'SER-1', a.redemption.at, a.redemption.at + 5000],
      ['redeem', 'SER-1', a.redemption.at + 9000, null],
      ['reverse', 'SER-2', input(2).at, input(2).at + 1600],
    ]);
  });

  it('chains batches per (platform, terminal): next sequence, previous manifest hash; a new terminal starts at 1', () => {
    for (let i = 0; i < 3; i++) ledger.redeem(input(i));
    const b1 = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T1', maxRecords: 10, createdAt: 1 });
    assert.ok(b1);
    exportAll(ledger, b1, 10);
    ledger.redeem(input(3));
    const b2 = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T1', maxRecords: 10, createdAt: 2 });
    assert.equal(b2?.sequence, 2);
    assert.equal(b2?.previousSha256, '1'.padStart(64, '0'));
    assert.ok(b2);
    exportAll(ledger, b2, 20);
    ledger.redeem(input(4));
    const other = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T2', maxRecords: 10, createdAt: 3 });
    assert.equal(other?.sequence, 1);
    assert.equal(other?.previousSha256, null);
    assert.equal(ledger.exports.lastBatch('plat-a', 'T1')?.sequence, 2);
  });

  it('allows one open batch per platform; a prepared batch can be abandoned, a signed one cannot', () => {
    ledger.redeem(input(1));
    const b = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T1', maxRecords: 10, createdAt: 1 });
    assert.ok(b);
    assert.throws(() => ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T1', maxRecords: 10, createdAt: 1 }), /already has a batch/);
    assert.equal(ledger.exports.openBatch('plat-a')?.id, b.id);
    ledger.exports.abandon(b.id);
    assert.equal(ledger.exports.openBatch('plat-a'), undefined);
    const again = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T1', maxRecords: 10, createdAt: 1 });
    assert.equal(again?.sequence, 1, 'an abandoned batch leaves no gap');
    assert.ok(again);
    ledger.exports.sign(again.id, facts(again, ledger));
    ledger.exports.abandon(again.id);
    assert.equal(ledger.exports.openBatch('plat-a')?.state, 'signed');
    ledger.redeem(input(2, { platformId: 'plat-b' }));
    const prepared = ledger.exports.prepare({ platformId: 'plat-b', terminalId: 'T1', maxRecords: 10, createdAt: 1 });
    assert.ok(prepared);
    assert.throws(() => ledger.exports.commit(prepared.id, 1), /not in state 'signed'/);
  });

  it('a database constraint, not only the code, refuses two open batches or two batches with one number', () => {
    ledger.redeem(input(1));
    ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T1', maxRecords: 10, createdAt: 1 });
    ledger.close();
    const db = new Database(file);
    const insert = (seq: number, state: string): unknown =>
      db
        .prepare(
          `INSERT INTO export_batches (platform_id, terminal_id, sequence, state, upto_seq, max_records, created_at, manifest, manifest_sha256, count, last_seq, exported_at)
           VALUES ('plat-a', 'T1', ?, ?, 1, 1, 1, x'00', 'h', 1, 1, 1)`,
        )
        .run(seq, state);
    assert.throws(() => insert(2, 'signed'), /UNIQUE/);
    assert.throws(() => insert(1, 'exported'), /UNIQUE/);
    db.close();
    ledger = open(file);
  });

  it('keeps one export lease: a live holder blocks, a stale one is taken over, only the owner releases', () => {
    const a = { owner: 'a', pid: 1, at: 1 };
    const b = { owner: 'b', pid: 2, at: 2 };
    assert.deepEqual(ledger.exports.acquireLease(a, () => false), { ok: true });
    assert.deepEqual(ledger.exports.acquireLease(b, () => false), { ok: false, holder: a });
    ledger.exports.releaseLease('b');
    assert.deepEqual(ledger.exports.acquireLease(b, () => false), { ok: false, holder: a });
    assert.deepEqual(ledger.exports.acquireLease(b, (h) => h.pid === 1), { ok: true });
    ledger.exports.releaseLease('b');
    assert.deepEqual(ledger.exports.acquireLease(a, () => false), { ok: true });
  });
});
