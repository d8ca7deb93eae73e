/** Migrations: in order, once, under a lock; an edited or misnumbered file stops the start. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, readMigrations, type Migration } from '../../../platform/store/migrate.js';
import { openPg } from '../../../platform/store/pg-db.js';
import { migratedPglite } from '../../support/pglite.js';
import { requireTestDatabase } from '../../support/postgres.js';

describe('platform store migrations', function () {
  this.timeout(120_000); // the first PGlite of a process runs initdb
  it('reads the numbered files in order, each with its SHA-256', function () {
    const ms = readMigrations();
    assert.ok(ms.length >= 1);
    ms.forEach((m, i) => {
      assert.equal(m.version, i + 1);
      assert.match(m.name, /^\d{4}_[a-z0-9_]+\.sql$/);
      assert.match(m.sha256, /^[0-9a-f]{64}$/);
    });
  });

  it('refuses a misnamed file and a gap in the numbers', function () {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coupon-mig-'));
    try {
      writeFileSync(path.join(dir, '0001_a.sql'), 'SELECT 1;');
      writeFileSync(path.join(dir, '0003_c.sql'), 'SELECT 1;');
      assert.throws(() => readMigrations(dir), { code: 'MIGRATION_INVALID', message: /0003_c\.sql should be number 2/ });
      rmSync(path.join(dir, '0003_c.sql'));
      writeFileSync(path.join(dir, '0002 B.sql'), 'SELECT 1;');
      assert.throws(() => readMigrations(dir), { code: 'MIGRATION_INVALID', message: /0002 B\.sql/ });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('on PGlite', function () {
    it('a second run applies nothing; an edited migration and a newer schema are refused', async function () {
      const db = await migratedPglite();
      try {
        assert.deepEqual(await migrate(db), []);
        const ms = readMigrations();
        const edited: Migration[] = ms.map((m, i) => (i === 0 ? { ...m, sha256: '0'.repeat(64) } : m));
        await assert.rejects(migrate(db, edited), { code: 'MIGRATION_CHANGED', message: /never edited/ });
        await assert.rejects(migrate(db, ms.slice(0, 0)), { code: 'SCHEMA_TOO_NEW' });
        const next: Migration = { version: ms.length + 1, name: `${String(ms.length + 1).padStart(4, '0')}_probe.sql`, sha256: 'x', sql: 'CREATE TABLE probe (a int); INSERT INTO probe VALUES (1), (2);' };
        assert.deepEqual(await migrate(db, [...ms, next]), [ms.length + 1]);
        assert.equal((await db.query<{ n: number }>('SELECT count(*) AS n FROM probe', [])).rows[0]!.n, 2);
      } finally {
        await db.close();
      }
    });

    it('a failing migration leaves nothing behind (one transaction)', async function () {
      const db = await migratedPglite();
      try {
        const ms = readMigrations();
        const bad: Migration = { version: ms.length + 1, name: 'x', sha256: 'x', sql: 'CREATE TABLE half (a int); SELECT no_such_function();' };
        await assert.rejects(migrate(db, [...ms, bad]));
        const r = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_name = 'half'`, []);
        assert.equal(r.rowCount, 0);
      } finally {
        await db.close();
      }
    });
  });

  describe('on PostgreSQL', function () {
    it('several processes migrating at once apply each file exactly once', async function () {
      const test = await requireTestDatabase(this);
      const dbs = await Promise.all([1, 2, 3, 4].map(() => openPg({ connectionString: test.url })));
      try {
        const applied = await Promise.all(dbs.map((db) => migrate(db)));
        const all = applied.flat().sort();
        assert.deepEqual(all, readMigrations().map((m) => m.version));
        const r = await dbs[0]!.query<{ n: number }>('SELECT count(*) AS n FROM schema_migrations', []);
        assert.equal(r.rows[0]!.n, readMigrations().length);
      } finally {
        await Promise.all(dbs.map((db) => db.close()));
        await test.drop();
      }
    });
  });
});
