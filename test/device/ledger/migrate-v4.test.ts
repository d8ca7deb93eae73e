/**
 * Migration 4 on a version-3 ledger: every outbox entry gets its place among
 * its platform's entries (1, 2, 3 … in seq order) and its batch record, so
 * that an export after the upgrade writes the same bytes as one before it
 * would have, numbered from the platform's watermark; the tally's
 * not-exported count keeps moving right.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION, type ExportRow } from '../../../device/ledger/index.js';
import { encodeRecord } from '../../../protocol/batch.js';
import { open, TempDirs } from './helpers.js';

const N = 2_000;
const cti = (i: number): string => (i + 1).toString(16).padStart(16, '0');

/** A version-3 ledger: N redemptions over two platforms (every 7th reversed later), plat-a exported up to seq 300. */
function v3Ledger(file: string): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  for (const m of MIGRATIONS.slice(0, 3)) db.exec(m.sql);
  db.pragma('user_version = 3');
  const redemption = db.prepare(`INSERT INTO redemptions (id, platform_id, cti_hex, serial, product, quantity, title, merchant_id, consumer, iat, exp, at, terminal_id, text_hash, offline, claim)
    VALUES (?, ?, ?, ?, ?, ?, NULL, 'm "1"', ?, 1, 2, ?, 'till-1', 'h', 1, 'none')`);
  const entry = db.prepare(`INSERT INTO outbox (kind, redemption_id, platform_id, at) VALUES (?, ?, ?, ?)`);
  const reverse = db.prepare(`UPDATE redemptions SET reversed_at = ?, reversed_by = 'cashier' WHERE id = ?`);
  db.transaction(() => {
    for (let id = 1; id <= N; id++) {
      const platform = id % 3 === 0 ? 'plat-b' : 'plat-a';
      const at = 1_780_000_000_000 + id * 1000;
      redemption.run(id, platform, cti(id), `S-${id}`, `产品-${id % 5}`, 1 + (id % 4), `用户\n${id}`, at);
      entry.run('redeem', id, platform, at);
      if (id % 7 === 0 && id > 10) {
        const back = id - 10;
        reverse.run(at + 1, back);
        entry.run('reverse', back, back % 3 === 0 ? 'plat-b' : 'plat-a', at + 1);
      }
    }
    db.prepare(`INSERT INTO export_marks (platform_id, seq) VALUES ('plat-a', 300)`).run();
  })();
  db.close();
}

function line(r: ExportRow, n: number): string {
  const common = { n, platformId: r.platformId, ctiHex: r.ctiHex, serial: r.serial, product: r.product, quantity: r.quantity, consumer: r.consumer, merchantId: r.merchantId, redeemedAt: r.at, terminalId: r.terminalId };
  return encodeRecord(r.kind === 'reverse' ? { kind: 'reverse', ...common, reversedAt: r.reversedAt ?? r.at } : { kind: 'redeem', ...common });
}

describe('ledger migration 4 (kept batch records, pseq)', function () {
  this.timeout(60_000);
  const tmp = new TempDirs();
  afterEach(() => tmp.cleanup());

  it('numbers and writes every entry of a version-3 ledger; an export then writes what encodeRecord writes, from the watermark on', () => {
    const file = tmp.dbPath();
    v3Ledger(file);
    const before = new Database(file, { readonly: true });
    const entries = before.prepare(`SELECT count(*) FROM outbox`).pluck().get() as number;
    const notExported = before.prepare(`SELECT not_exported FROM tally`).pluck().get() as number;
    before.close();
    const ledger = open(file);
    try {
      const check = new Database(file, { readonly: true });
      assert.equal(check.pragma('user_version', { simple: true }), SCHEMA_VERSION);
      for (const p of ['plat-a', 'plat-b']) {
        const pseqs = check.prepare(`SELECT pseq FROM outbox WHERE platform_id = ? ORDER BY seq`).pluck().all(p) as number[];
        assert.deepEqual(pseqs, pseqs.map((_, i) => i + 1), `${p}: 1, 2, 3 … in seq order`);
      }
      assert.equal(check.prepare(`SELECT count(*) FROM outbox WHERE record IS NULL`).pluck().get(), 0);
      assert.equal(check.prepare(`SELECT count(*) FROM outbox`).pluck().get(), entries);
      check.close();
      assert.equal(ledger.counts().notExported, notExported);

      const queue = ledger.exports.queue();
      const a = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T1', maxRecords: 100_000, createdAt: 1 })!;
      const rows = ledger.exports.records(a, 0, 100_000);
      assert.ok(rows[0]!.seq > 300, 'from the watermark on');
      assert.equal(queue.find((q) => q.platformId === 'plat-a')?.count, rows.length);
      const parts: Buffer[] = [];
      for (let after = 0, c = ledger.exports.chunk(a, after, 500); c !== undefined; after = c.lastSeq, c = ledger.exports.chunk(a, after, 500)) parts.push(Buffer.from(c.bytes));
      assert.equal(Buffer.concat(parts).toString('utf8'), rows.map((r, i) => line(r, i + 1)).join(''));

      const last = ledger.exports.chunk(a, 0, 100_000)!;
      ledger.exports.sign(a.id, { count: last.count, firstAt: last.firstAt, lastAt: last.lastAt, lastSeq: last.lastSeq, dataSha256: 'aa'.repeat(32), dataBytes: last.bytes.byteLength, manifest: new Uint8Array([1]), manifestSha256: 'bb'.repeat(32) });
      ledger.exports.commit(a.id, 2);
      assert.equal(ledger.counts().notExported, notExported - rows.length, 'the watermark moved past exactly the batch');
      assert.deepEqual(ledger.exports.queue().map((q) => q.platformId), ['plat-b']);
    } finally {
      ledger.close();
    }
  });
});
