/**
 * Ledger v4: each outbox entry keeps its batch record, built by SQLite, and
 * its place among its platform's entries; an export step is one BLOB of the
 * data file. The bytes must be exactly what encodeRecord writes, for any
 * text a coupon can carry, in seq order, numbered from 1 per batch.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { CHUNK_SQL } from '../../../device/ledger/export-store.js';
import type { ExportBatch, ExportRow, Ledger } from '../../../device/ledger/index.js';
import { encodeRecord, type BatchRecord } from '../../../protocol/batch.js';
import { input, open, TempDirs } from './helpers.js';

/** The batch record of a ledger row, as the platform reads it back. */
function toBatchRecord(r: ExportRow, n: number): BatchRecord {
  const common = {
    n, platformId: r.platformId, ctiHex: r.ctiHex, serial: r.serial, product: r.product, quantity: r.quantity,
    consumer: r.consumer, merchantId: r.merchantId, redeemedAt: r.at, terminalId: r.terminalId,
  };
  return r.kind === 'reverse' ? { kind: 'reverse', ...common, reversedAt: r.reversedAt ?? r.at } : { kind: 'redeem', ...common };
}

/** Every chunk of the batch, `limit` records at a time, checked for numbering and seq order on the way. */
function chunks(ledger: Ledger, b: ExportBatch, limit: number): { bytes: Buffer; count: number; firstAt: number; lastAt: number; lastSeq: number } {
  const parts: Buffer[] = [];
  let count = 0;
  let lastSeq = 0;
  let firstAt = Infinity;
  let lastAt = -Infinity;
  for (let c = ledger.exports.chunk(b, 0, limit); c !== undefined; c = ledger.exports.chunk(b, lastSeq, limit)) {
    assert.equal(c.firstN, count + 1, 'numbered on from the last chunk');
    assert.ok(c.count <= limit && c.lastSeq > lastSeq);
    parts.push(Buffer.from(c.bytes));
    count += c.count;
    lastSeq = c.lastSeq;
    firstAt = Math.min(firstAt, c.firstAt);
    lastAt = Math.max(lastAt, c.lastAt);
  }
  ledger.exports.endStream();
  return { bytes: Buffer.concat(parts), count, firstAt, lastAt, lastSeq };
}

function expected(ledger: Ledger, b: ExportBatch): string {
  return ledger.exports.records(b, 0, b.maxRecords).map((r, i) => encodeRecord(toBatchRecord(r, i + 1))).join('');
}

/** Any text a coupon field can hold: quotes, backslashes, control characters, U+2028, CJK, emoji. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u2028', '平', '台', '😀', 'a', '/'), maxLength: 8 }),
);

describe('ledger v4: export lines built by SQLite', function () {
  this.timeout(60_000);
  const tmp = new TempDirs();
  afterEach(() => tmp.cleanup());

  it('writes exactly what encodeRecord writes, for any text, with reversals and released claims, over two platforms', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ serial: text, product: text, consumer: text, merchantId: text, terminalId: text, quantity: fc.integer({ min: 1, max: 99 }), b: fc.boolean() }), { minLength: 1, maxLength: 25 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.integer({ min: 1, max: 7 }),
        (rows, reversals, limit) => {
          const ledger = open(tmp.dbPath());
          try {
            const ids = rows.map(({ b, ...fields }, i) => {
              const got = ledger.redeem(input(i, { ...fields, platformId: b ? 'plat-b' : 'plat-a' }));
              assert.ok(got.ok);
              return got.redemption.id;
            });
            // reversals after later redemptions: seq order differs from redemption order
            for (const k of reversals) ledger.reverse(ids[k % ids.length]!, 1_780_000_200_000 + k);
            ledger.release(input(900, { platformId: 'plat-a', serial: 'released "claim"' }), 1_780_000_300_000);
            for (const platformId of ['plat-a', 'plat-b']) {
              const b = ledger.exports.prepare({ platformId, terminalId: 'T1', maxRecords: 1000, createdAt: 1 });
              if (b === undefined) continue;
              const got = chunks(ledger, b, limit);
              const want = expected(ledger, b);
              assert.equal(got.bytes.toString('utf8'), want);
              const rowsOf = ledger.exports.records(b, 0, 1000);
              assert.equal(got.count, rowsOf.length);
              assert.equal(got.lastSeq, rowsOf.at(-1)!.seq);
              assert.equal(got.firstAt, Math.min(...rowsOf.map((r) => r.at)));
              assert.equal(got.lastAt, Math.max(...rowsOf.map((r) => r.at)));
            }
          } finally {
            ledger.close();
            tmp.cleanup();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('numbers each batch from 1: the second batch of a platform starts after the first one committed', () => {
    const ledger = open(tmp.dbPath());
    try {
      for (let i = 0; i < 5; i++) ledger.redeem(input(i, { platformId: i % 2 ? 'plat-b' : 'plat-a' }));
      const first = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T1', maxRecords: 2, createdAt: 1 })!;
      const one = chunks(ledger, first, 10);
      assert.equal(one.count, 3, 'a chunk reads the whole record set; the exporter stops at maxRecords');
      const c = ledger.exports.chunk(first, 0, 2)!;
      ledger.exports.sign(first.id, { count: 2, firstAt: c.firstAt, lastAt: c.lastAt, lastSeq: c.lastSeq, dataSha256: 'aa'.repeat(32), dataBytes: c.bytes.byteLength, manifest: new Uint8Array([1]), manifestSha256: 'bb'.repeat(32) });
      ledger.exports.commit(first.id, 2);
      ledger.redeem(input(10));
      const second = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T1', maxRecords: 100, createdAt: 3 })!;
      const two = chunks(ledger, second, 100);
      assert.equal(two.bytes.toString('utf8'), expected(ledger, second));
      assert.deepEqual(two.bytes.toString('utf8').trimEnd().split('\n').map((l) => (JSON.parse(l) as { n: number }).n), [1, 2]);
      assert.deepEqual(ledger.exports.queue(), [{ platformId: 'plat-a', count: 2 }, { platformId: 'plat-b', count: 2 }]);
    } finally {
      ledger.close();
    }
  });

  it('reads the rows in seq order without sorting them again (the plan has no temporary b-tree)', () => {
    const file = tmp.dbPath();
    open(file).close();
    const db = new Database(file, { readonly: true });
    try {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${CHUNK_SQL}`).all({ platformId: 'p', from: 0, upto: 10, limit: 10 }) as { detail: string }[];
      const details = plan.map((p) => p.detail);
      assert.ok(details.some((d) => /^CO-ROUTINE/.test(d)), details.join('; '));
      assert.ok(details.some((d) => /SEARCH o USING (COVERING )?INDEX outbox_platform/.test(d)), details.join('; '));
      assert.ok(!details.some((d) => /TEMP B-TREE/.test(d)), details.join('; '));
    } finally {
      db.close();
    }
  });

  it('keeps pseqs without gaps and records unchanged: the database refuses anything else', () => {
    const file = tmp.dbPath();
    const ledger = open(file);
    try {
      for (let i = 0; i < 3; i++) ledger.redeem(input(i));
    } finally {
      ledger.close();
    }
    const db = new Database(file);
    try {
      const redemption = db.prepare(`SELECT id FROM redemptions LIMIT 1`).pluck().get() as number;
      const insert = (pseq: number, record: string | null): unknown =>
        db.prepare(`INSERT INTO outbox (kind, redemption_id, platform_id, at, pseq, record) VALUES ('reverse', ?, 'plat-a', 5, ?, ?)`).run(redemption, pseq, record);
      assert.throws(() => insert(5, '{}'), /next pseq/);
      assert.throws(() => insert(3, '{}'), /next pseq|UNIQUE/);
      assert.throws(() => insert(4, null), /needs its record/);
      assert.throws(() => db.prepare(`UPDATE outbox SET record = 'x' WHERE seq = 1`).run(), /facts never change/);
      assert.throws(() => db.prepare(`UPDATE outbox SET pseq = 9 WHERE seq = 1`).run(), /facts never change/);
    } finally {
      db.close();
    }
  });

  it('refuses to number a chunk whose pseqs have a gap (a ledger edited by hand)', () => {
    const file = tmp.dbPath();
    let ledger = open(file);
    for (let i = 0; i < 4; i++) ledger.redeem(input(i));
    ledger.close();
    const db = new Database(file);
    db.exec(`DROP TRIGGER outbox_facts_fixed; UPDATE outbox SET pseq = pseq + 1 WHERE seq = (SELECT max(seq) FROM outbox)`);
    db.close();
    ledger = open(file);
    try {
      const b = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T1', maxRecords: 10, createdAt: 1 })!;
      assert.throws(() => ledger.exports.chunk(b, 0, 10), /4 entries after seq 0 are numbered 1\.\.5/);
    } finally {
      ledger.close();
    }
  });
});
