/**
 * Ledger v5: chunks of the next export made ahead in idle time. An export
 * step must get exactly what it would make live (CHUNK_SQL on the ledger as
 * it is), whatever was made ahead, under whichever watermark, with whichever
 * step size; chunks of an old watermark are never used and get deleted.
 */
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { CHUNK_SQL } from '../../../device/ledger/export-store.js';
import type { ExportBatch, ExportChunk, Ledger } from '../../../device/ledger/index.js';
import { input, open, TempDirs } from './helpers.js';

type Row = [number | null, number | null, number | null, number, number | null, number | null, Buffer | null];

/** What CHUNK_SQL makes now for this step, on a connection of its own (no chunk made ahead involved). */
function live(file: string, ledger: Ledger, b: ExportBatch, afterSeq: number, limit: number): ExportChunk | undefined {
  const db = new Database(file, { readonly: true });
  try {
    const from = Math.max(afterSeq, ledger.exports.watermark(b.platformId));
    const upto = b.signed?.lastSeq ?? b.uptoSeq;
    const [lastSeq, firstAt, lastAt, count, firstN, , bytes] = db.prepare(CHUNK_SQL).raw(true).get({ platformId: b.platformId, from, upto, limit }) as Row;
    if (count === 0) return undefined;
    return { count, lastSeq: lastSeq!, firstAt: firstAt!, lastAt: lastAt!, firstN: firstN!, bytes: new Uint8Array(bytes!) };
  } finally {
    db.close();
  }
}

const plain = (c: ExportChunk | undefined): unknown => (c === undefined ? undefined : { ...c, bytes: Buffer.from(c.bytes).toString('utf8') });

function aheadRows(file: string): { platform_id: string; mark: number; from_seq: number; count: number }[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT platform_id, mark, from_seq, count FROM export_chunks ORDER BY platform_id, mark, from_seq').all() as never;
  } finally {
    db.close();
  }
}

/** Writes into a chunk made ahead, as only a test would: shows which steps read it. */
function mark(file: string, fromSeq: number, text: string): void {
  const db = new Database(file);
  try {
    assert.equal(db.prepare('UPDATE export_chunks SET bytes = ? WHERE from_seq = ?').run(Buffer.from(text), fromSeq).changes, 1);
  } finally {
    db.close();
  }
}

/** Signs the batch with made-up facts: it ends at lastSeq from now on. */
function signBatch(ledger: Ledger, b: ExportBatch, count: number, lastSeq: number): void {
  ledger.exports.sign(b.id, { count, firstAt: 0, lastAt: 0, lastSeq, dataSha256: '', dataBytes: 0, manifest: new Uint8Array([1]), manifestSha256: 'x' });
}

/** Signs and commits the batch: the watermark moves to lastSeq. */
function commitBatch(ledger: Ledger, b: ExportBatch, count: number, lastSeq: number): void {
  signBatch(ledger, b, count, lastSeq);
  ledger.exports.commit(b.id, 2);
}

/** One step of making chunks ahead, with no batch limit and every platform. */
const ahead = (ledger: Ledger, records: number): number => ledger.exports.chunkAhead({ records, maxBatchRecords: Number.MAX_SAFE_INTEGER });

/** Makes chunks ahead until nothing is due; returns the rows made or deleted. */
function catchUp(ledger: Ledger, records: number): number {
  let n = 0;
  for (let k = ahead(ledger, records); k > 0; k = ahead(ledger, records)) n += k;
  return n;
}

describe('ledger v5: export chunks made ahead', function () {
  this.timeout(120_000);
  const tmp = new TempDirs();
  afterEach(() => tmp.cleanup());

  /** A new ledger for fn, closed after it. */
  function withLedger(fn: (ledger: Ledger, file: string) => void): void {
    const file = tmp.dbPath();
    const ledger = open(file);
    try {
      fn(ledger, file);
    } finally {
      ledger.close();
    }
  }

  it('makes only whole chunks, per platform, and nothing when nothing is due', () => {
    withLedger((ledger, file) => {
    assert.equal(ahead(ledger, 3), 0, 'an empty ledger');
    for (let i = 0; i < 7; i++) assert.ok(ledger.redeem(input(i, { platformId: i % 3 === 2 ? 'plat-b' : 'plat-a' })).ok);
    // plat-a: 5 entries (seq 1,2,4,5,7), plat-b: 2
    assert.equal(catchUp(ledger, 3), 1);
    assert.deepEqual(aheadRows(file), [{ platform_id: 'plat-a', mark: 0, from_seq: 0, count: 3 }]);
    ledger.reverse(1, 1_780_000_200_000);
    assert.equal(catchUp(ledger, 3), 1, 'the reversal completes plat-a\'s second chunk');
    assert.deepEqual(aheadRows(file).map((r) => r.from_seq), [0, 4]);
    });
  });

  it('serves a step from a chunk made ahead under the current watermark only, and deletes the old ones', () => {
    withLedger((ledger, file) => {
    for (let i = 0; i < 10; i++) assert.ok(ledger.redeem(input(i)).ok);
    assert.equal(catchUp(ledger, 4), 2); // entries 1-4 and 5-8
    mark(file, 4, 'made ahead');
    const b = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T', maxRecords: 6, createdAt: 1 })!;
    assert.equal(Buffer.from(ledger.exports.chunk(b, 4, 4)!.bytes).toString(), 'made ahead', 'the step that starts where the chunk does reads it');
    assert.equal(ledger.exports.chunk(b, 4, 2)!.count, 2, 'a chunk larger than the step is not used');
    assert.equal(ledger.exports.chunk(b, 4, 5)!.count, 5, 'nor one smaller');
    assert.deepEqual(plain(ledger.exports.chunk(b, 4, 2)), plain(live(file, ledger, b, 4, 2)));
    assert.deepEqual(plain(ledger.exports.chunk(b, 3, 4)), plain(live(file, ledger, b, 3, 4)), 'nor one that starts elsewhere');
    // the batch covers entries 1-6 (maxRecords): sign and commit moves the watermark to seq 6
    commitBatch(ledger, b, 6, 6);
    ledger.exports.endStream();
    const next = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T', maxRecords: 100, createdAt: 3 })!;
    assert.deepEqual(plain(ledger.exports.chunk(next, 0, 4)), plain(live(file, ledger, next, 0, 4)), 'numbered from the new watermark');
    assert.equal(ledger.exports.chunk(next, 0, 4)!.firstN, 1);
    ledger.exports.endStream();
    assert.equal(ahead(ledger, 2), 2, 'the first step deletes the chunks of the old watermark');
    assert.deepEqual(aheadRows(file), []);
    assert.equal(catchUp(ledger, 2), 2, 'then makes new ones: entries 7-8 and 9-10');
    assert.deepEqual(aheadRows(file).map((r) => [r.mark, r.from_seq]), [[6, 6], [6, 8]]);
    });
  });

  it('never serves a chunk of an old watermark that starts where the new one does (its numbers count from the old)', () => {
    withLedger((ledger, file) => {
    for (let i = 0; i < 8; i++) assert.ok(ledger.redeem(input(i)).ok);
    assert.equal(catchUp(ledger, 2), 4); // from seq 0, 2, 4, 6 under watermark 0
    const b = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T', maxRecords: 4, createdAt: 1 })!;
    commitBatch(ledger, b, 4, 4);
    const next = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T', maxRecords: 100, createdAt: 3 })!;
    const got = ledger.exports.chunk(next, 0, 2)!;
    assert.equal(got.firstN, 1);
    assert.match(Buffer.from(got.bytes).toString(), /^\{"kind":"redeem","n":1,/);
    assert.deepEqual(plain(got), plain(live(file, ledger, next, 0, 2)));
    });
  });

  it('never serves a chunk that runs past the batch (entries redeemed after it was prepared)', () => {
    withLedger((ledger, file) => {
    for (let i = 0; i < 4; i++) assert.ok(ledger.redeem(input(i)).ok);
    const b = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T', maxRecords: 100, createdAt: 1 })!;
    for (let i = 4; i < 6; i++) assert.ok(ledger.redeem(input(i)).ok);
    assert.equal(catchUp(ledger, 3), 2); // entries 1-3 and 4-6; the batch ends at 4
    const got = ledger.exports.chunk(b, 3, 3)!;
    assert.deepEqual([got.count, got.lastSeq], [1, 4]);
    assert.deepEqual(plain(got), plain(live(file, ledger, b, 3, 3)));
    });
  });

  it('makes chunks of the next batch only (its later batches count from a watermark not known yet), of the platforms asked for', () => {
    withLedger((ledger, file) => {
    for (let i = 0; i < 10; i++) assert.ok(ledger.redeem(input(i)).ok);
    for (let i = 10; i < 14; i++) assert.ok(ledger.redeem(input(i, { platformId: 'plat-b' })).ok);
    const step = (records: number, maxBatchRecords: number): number => ledger.exports.chunkAhead({ records, maxBatchRecords, platform: (id) => id === 'plat-a' });
    assert.equal(step(3, 2), 0, 'a chunk larger than a batch is never made');
    assert.deepEqual([step(3, 7), step(3, 7), step(3, 7)], [1, 1, 0], 'entries 1-3 and 4-6; 7-9 would run past the batch of 7');
    assert.deepEqual(aheadRows(file).map((r) => [r.platform_id, r.from_seq]), [['plat-a', 0], ['plat-a', 3]]);
    });
  });

  it('deletes at most four old chunks per step', () => {
    withLedger((ledger, file) => {
    for (let i = 0; i < 12; i++) assert.ok(ledger.redeem(input(i)).ok);
    assert.equal(catchUp(ledger, 2), 6);
    const b = ledger.exports.prepare({ platformId: 'plat-a', terminalId: 'T', maxRecords: 1, createdAt: 1 })!;
    commitBatch(ledger, b, 1, 1);
    assert.deepEqual([ahead(ledger, 2), ahead(ledger, 2), ahead(ledger, 2)], [4, 2, 1]);
    assert.deepEqual(aheadRows(file).map((r) => [r.mark, r.from_seq]), [[1, 1]]);
    });
  });

  it('gives every step what it would make live, over redemptions, reversals, chunks made ahead and exports in any order', () => {
    const op = fc.oneof(
      fc.record({ op: fc.constant('redeem' as const), b: fc.boolean(), n: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ op: fc.constant('reverse' as const), k: fc.nat() }),
      fc.record({ op: fc.constant('ahead' as const), records: fc.integer({ min: 1, max: 3 }), steps: fc.integer({ min: 1, max: 8 }) }),
      fc.record({ op: fc.constant('export' as const), b: fc.boolean(), maxRecords: fc.integer({ min: 1, max: 12 }), limit: fc.integer({ min: 1, max: 3 }), end: fc.constantFrom('none', 'sign', 'commit') }),
    );
    let served = 0;
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 30 }), (ops) => {
        withLedger((ledger, file) => {
        const ids: number[] = [];
        let i = 0;
        for (const o of ops) {
          if (o.op === 'redeem') {
            for (let j = 0; j < o.n; j++, i++) {
              const got = ledger.redeem(input(i, { platformId: o.b ? 'plat-b' : 'plat-a', serial: `S "${i}" 平` }));
              if (got.ok) ids.push(got.redemption.id);
            }
          } else if (o.op === 'reverse') {
            if (ids.length > 0) ledger.reverse(ids[o.k % ids.length]!, 1_780_000_200_000 + o.k);
          } else if (o.op === 'ahead') {
            for (let s = 0; s < o.steps; s++) ahead(ledger, o.records);
          } else {
            const platformId = o.b ? 'plat-b' : 'plat-a';
            const b = ledger.exports.openBatch(platformId) ?? ledger.exports.prepare({ platformId, terminalId: 'T', maxRecords: o.maxRecords, createdAt: 1 });
            if (b === undefined) continue;
            const kept = new Set(aheadRows(file).map((r) => `${r.platform_id} ${r.mark} ${r.from_seq} ${r.count}`));
            const mark = ledger.exports.watermark(platformId);
            let after = 0;
            let count = 0;
            for (;;) {
              const limit = Math.min(o.limit, b.maxRecords - count);
              const got: ExportChunk | undefined = limit > 0 ? ledger.exports.chunk(b, after, limit) : undefined;
              const want: ExportChunk | undefined = limit > 0 ? live(file, ledger, b, after, limit) : undefined;
              assert.deepEqual(plain(got), plain(want));
              if (got === undefined) break;
              if (kept.has(`${platformId} ${mark} ${Math.max(after, mark)} ${limit}`) && got.count === limit) served++;
              after = got.lastSeq;
              count += got.count;
            }
            ledger.exports.endStream();
            // signed and not committed (a crash after the manifest): the next export reads it again, up to its signed end
            if (o.end !== 'none' && count > 0 && b.signed === null) signBatch(ledger, b, count, after);
            if (o.end === 'commit' && count > 0) ledger.exports.commit(b.id, 2);
          }
        }
        });
      }),
      { numRuns: 300 },
    );
    assert.ok(served >= 25, `steps served by chunks made ahead: ${served}`);
  });
});
