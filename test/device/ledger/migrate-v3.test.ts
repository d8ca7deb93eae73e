/**
 * Migration 3 on a big version-2 ledger: every redemption kept with its id
 * and facts, each one's upload state carried to its outbox entry, the export
 * watermark at the end of each platform's exported prefix (a batch committed
 * but not fully marked counts as exported), an open signed batch still
 * covering the same records, the tally right, and the coupon free again after
 * a reversal (the partial unique index).
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION } from '../../../device/ledger/index.js';
import { open, TempDirs } from './helpers.js';

const N = 30_000;
const PLATFORMS = ['plat-a', 'plat-b'];
const cti = (i: number): string => (i + 1).toString(16).padStart(16, '0');

/** A version-2 ledger: N redemptions over two platforms, some uploaded, plat-a exported in two batches (the second not fully marked) and a third signed, plat-b not exported. */
function v2Ledger(file: string): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  for (const m of MIGRATIONS.slice(0, 2)) db.exec(m.sql);
  db.pragma('user_version = 2');
  const insert = db.prepare(`INSERT INTO redemptions (id, platform_id, cti_hex, serial, product, quantity, title, merchant_id, consumer, iat, exp, at, terminal_id, text_hash, uploaded_at, exported_at, export_batch)
    VALUES (?, ?, ?, ?, 'sku', 2, NULL, 'm', 'c', 1, 2, ?, 'till-1', 'h', ?, ?, ?)`);
  const batch = db.prepare(`INSERT INTO export_batches (platform_id, terminal_id, sequence, state, upto_id, max_records, created_at, previous_sha256, count, first_at, last_at, last_id, data_sha256, data_bytes, manifest, manifest_sha256, exported_at, marked)
    VALUES ('plat-a', 'T1', ?, ?, ?, 100000, 1, NULL, ?, 1, 2, ?, 'd', 1, x'01', ?, ?, ?)`);
  db.transaction(() => {
    // plat-a: even ids; batch 1 = first 4000 of them (marked), batch 2 = next 4000 (committed, half marked), batch 3 signed (next 2000)
    const a = Array.from({ length: N }, (_, i) => i + 1).filter((id) => id % 2 === 0);
    const exportedUpTo = a[8000 - 1]!;
    const markedUpTo = a[6000 - 1]!;
    for (let id = 1; id <= N; id++) {
      const platform = PLATFORMS[id % 2 === 0 ? 0 : 1]!;
      const marked = platform === 'plat-a' && id <= markedUpTo;
      insert.run(id, platform, cti(id), `S-${id}`, 1_780_000_000_000 + id, id % 3 === 0 ? 5000 + id : null, marked ? 9000 : null, marked ? 'x' : null);
    }
    batch.run(1, 'exported', a[3999], 4000, a[3999], 'm1', 9000, 1);
    batch.run(2, 'exported', exportedUpTo, 4000, exportedUpTo, 'm2', 9100, 0);
    batch.run(3, 'signed', a[9999], 2000, a[9999], 'm3', null, 0);
  })();
  db.close();
}

describe('ledger migration 3 (the outbox log)', function () {
  this.timeout(60_000);
  const tmp = new TempDirs();
  afterEach(() => tmp.cleanup());

  it(`keeps every row of a ${N.toLocaleString('en-US')}-redemption version-2 ledger, with its upload and export state`, () => {
    const file = tmp.dbPath();
    v2Ledger(file);
    const ledger = open(file);
    try {
      const check = new Database(file, { readonly: true });
      assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      assert.equal(check.prepare('SELECT count(*) FROM redemptions').pluck().get(), N);
      assert.equal(check.prepare('SELECT count(*) FROM redemptions WHERE id = cast(substr(serial, 3) AS INTEGER) AND cti_hex = printf(\'%016x\', id + 1)').pluck().get(), N, 'ids and facts kept');
      assert.equal(check.prepare(`SELECT count(*) FROM outbox WHERE seq = redemption_id AND kind = 'redeem'`).pluck().get(), N, 'one redeem entry per redemption, seq = id');
      const uploaded = Math.floor(N / 3);
      assert.equal(check.prepare(`SELECT count(*) FROM outbox WHERE state = 'sent' AND answered_at = 5000 + seq`).pluck().get(), uploaded);
      assert.deepEqual(check.prepare('SELECT platform_id, seq FROM export_marks ORDER BY platform_id').all(), [{ platform_id: 'plat-a', seq: 16001 }, { platform_id: 'plat-b', seq: 0 }], 'just below the first redemption neither marked nor in a committed batch');
      check.close();
      const counts = ledger.counts();
      assert.deepEqual(counts, { redemptions: N, pendingUpload: N - uploaded, notExported: N - 8000, scans: 0, revocations: 0, rejected: 0, reversals: 0, conflicts: 0 });
      assert.equal(ledger.find('plat-a', cti(16000))?.exported, true);
      assert.equal(ledger.find('plat-a', cti(16002))?.exported, false);
      assert.equal(ledger.find('plat-b', cti(1))?.offline, true);
      const open3 = ledger.exports.openBatch('plat-a');
      assert.equal(open3?.sequence, 3);
      const rows = ledger.exports.records(open3!, 0, 100_000);
      assert.equal(rows.length, 2000);
      assert.deepEqual([rows[0]!.seq, rows.at(-1)!.seq], [16002, 20000], 'the signed batch covers the same redemptions as before');
      assert.deepEqual(ledger.exports.queue(), [{ platformId: 'plat-a', count: N / 2 - 8000 }, { platformId: 'plat-b', count: N / 2 }]);
      const live = ledger.find('plat-b', cti(1))!;
      assert.equal(ledger.redeem({ ...live, at: live.at + 1 }).ok, false);
      assert.ok(ledger.reverse(live.id, live.at + 10).ok);
      assert.ok(ledger.redeem({ ...live, at: live.at + 20 }).ok, 'a reversed coupon is free again');
    } finally {
      ledger.close();
    }
  });
});
