/** The Db port's contract, on each engine: value shapes, transactions, error fields, close. */
import assert from 'node:assert/strict';
import type { Db } from '../../../platform/store/db.js';
import { SQLSTATE, isViolation } from '../../../platform/store/db.js';
import { ENGINES } from './engines.js';

for (const engine of ENGINES) {
  describe(`Db port on ${engine.name}`, function () {
    let db: Db;
    let close: () => Promise<void>;
    before(async function () {
      ({ db, close } = await engine.open(this));
      await db.query('CREATE TABLE probe (id int PRIMARY KEY, b bytea, big bigint, t timestamptz, CONSTRAINT probe_small CHECK (id < 1000))');
    });
    after(async () => close?.());

    it('normalises values the same on both engines', async function () {
      const r = await db.query<{ n: number; b: Uint8Array; t: Date; num: string; c: number }>(
        `SELECT 9007199254740991::int8 AS n, '\\x0102ff'::bytea AS b, '2026-01-02T03:04:05.678Z'::timestamptz AS t, 1.50::numeric AS num, count(*) AS c FROM probe`,
        [],
      );
      const row = r.rows[0]!;
      assert.equal(row.n, Number.MAX_SAFE_INTEGER);
      assert.ok(row.b instanceof Uint8Array);
      assert.deepEqual([...row.b], [1, 2, 255]);
      assert.deepEqual(row.t, new Date('2026-01-02T03:04:05.678Z'));
      assert.equal(row.num, '1.50');
      assert.equal(row.c, 0);
      await assert.rejects(db.query('SELECT 9007199254740993::int8 AS n', []), /beyond 2\^53/);
    });

    it('parameters round-trip bytes and dates; rowCount counts writes and reads', async function () {
      const w = await db.query('INSERT INTO probe (id, b, t) VALUES ($1, $2, $3), ($4, $2, $3)', [1, Buffer.from([7, 8]), new Date(0), 2]);
      assert.equal(w.rowCount, 2);
      const r = await db.query<{ b: Uint8Array; t: Date }>('SELECT b, t FROM probe WHERE id = $1', [1]);
      assert.equal(r.rowCount, 1);
      assert.deepEqual([...r.rows[0]!.b], [7, 8]);
      assert.deepEqual(r.rows[0]!.t, new Date(0));
    });

    it('a transaction commits on resolve and rolls back on reject, passing the error on', async function () {
      assert.equal(await db.transaction(async (tx) => (await tx.query('INSERT INTO probe (id) VALUES ($1)', [10])).rowCount), 1);
      await assert.rejects(
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO probe (id) VALUES ($1)', [11]);
          throw new Error('changed my mind');
        }),
        /changed my mind/,
      );
      const ids = (await db.query<{ id: number }>('SELECT id FROM probe ORDER BY id', [])).rows.map((r) => r.id);
      assert.deepEqual(ids, [1, 2, 10]);
    });

    it('constraint violations carry the SQLSTATE and the constraint name', async function () {
      await assert.rejects(db.query('INSERT INTO probe (id) VALUES ($1)', [1]), (err) => isViolation(err, SQLSTATE.UNIQUE_VIOLATION, 'probe_pkey'));
      await assert.rejects(db.query('INSERT INTO probe (id) VALUES ($1)', [5000]), (err) => isViolation(err, SQLSTATE.CHECK_VIOLATION, 'probe_small'));
      // a failed statement inside a transaction aborts it whole
      await assert.rejects(db.transaction(async (tx) => {
        await tx.query('INSERT INTO probe (id) VALUES ($1)', [20]);
        await tx.query('INSERT INTO probe (id) VALUES ($1)', [1]);
      }));
      assert.equal((await db.query('SELECT 1 FROM probe WHERE id = 20', [])).rowCount, 0);
    });

    it('several statements without parameters run through the simple protocol', async function () {
      const r = await db.query<{ n: number }>('INSERT INTO probe (id) VALUES (30); SELECT count(*) AS n FROM probe');
      assert.equal(r.rows[0]!.n, 4);
    });
  });
}
