/**
 * Schema migrations: the numbered SQL files in platform/store/migrations/
 * (`NNNN_name.sql`), applied in order, all in one transaction, under a
 * transaction-scoped advisory lock, so several processes starting together
 * on one database migrate it exactly once (the others wait on the lock, then
 * find nothing left to do). A released file is never edited: its SHA-256 is
 * recorded and a changed file stops the start-up.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './db.js';
import { StoreError } from './errors.js';

/**
 * The SQL stays in the source tree (tsc does not copy it): from
 * dist/platform/store/ that is ../../../platform/store/migrations.
 */
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../platform/store/migrations');

const FILE = /^(\d{4})_[a-z0-9_]+\.sql$/;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  sha256: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const out: Migration[] = [];
  for (const [i, name] of files.entries()) {
    const m = FILE.exec(name);
    if (!m) throw new StoreError('MIGRATION_INVALID', `migration file ${name} must be named NNNN_lowercase_name.sql`);
    const version = Number(m[1]);
    if (version !== i + 1) throw new StoreError('MIGRATION_INVALID', `migration ${name} should be number ${i + 1}: numbers start at 1 with no gap`);
    const sql = readFileSync(path.join(dir, name), 'utf8');
    out.push({ version, name, sql, sha256: createHash('sha256').update(sql).digest('hex') });
  }
  return out;
}

/** Apply what is missing; returns the versions applied by this call. */
export async function migrate(db: Db, migrations = readMigrations()): Promise<number[]> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('coupon-platform.migrate'))`, []);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY, name text NOT NULL, sha256 text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await tx.query<{ version: number; name: string; sha256: string }>('SELECT version, name, sha256 FROM schema_migrations ORDER BY version', []);
    const applied = new Map(rows.map((r) => [r.version, r]));
    const newest = rows[rows.length - 1]?.version ?? 0;
    if (newest > migrations.length) {
      throw new StoreError('SCHEMA_TOO_NEW', `the database has schema version ${newest}, this program knows ${migrations.length}: run a newer coupon-platform`);
    }
    const done: number[] = [];
    for (const m of migrations) {
      const was = applied.get(m.version);
      if (was) {
        if (was.sha256 !== m.sha256) throw new StoreError('MIGRATION_CHANGED', `migration ${m.name} differs from the one applied (${was.name}): released migrations are never edited`);
        continue;
      }
      await tx.query(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, sha256) VALUES ($1, $2, $3)', [m.version, m.name, m.sha256]);
      done.push(m.version);
    }
    return done;
  });
}
