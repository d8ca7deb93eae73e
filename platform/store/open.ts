/**
 * Opening the platform's database: PGlite in `DIR/pgdata` by default, or a
 * PostgreSQL server when a URL is given (`--database` or DATABASE_URL); then
 * the migrations, then the Store.
 */
import path from 'node:path';
import type { Db } from './db.js';
import { migrate } from './migrate.js';
import { openPg } from './pg-db.js';
import { openPglite } from './pglite-db.js';
import { createSqlStore } from './sql-store.js';
import type { Store } from './store.js';

export interface OpenOptions {
  /** the data directory (PGlite keeps its files in DIR/pgdata) */
  dataDir: string;
  /** a postgres:// URL; PGlite when absent */
  databaseUrl?: string;
  onIdleError?: (err: Error) => void;
}

export const PGLITE_SUBDIR = 'pgdata';

export async function openDb(opts: OpenOptions): Promise<Db> {
  if (opts.databaseUrl !== undefined) {
    const pgOpts: Parameters<typeof openPg>[0] = { connectionString: opts.databaseUrl };
    if (opts.onIdleError) pgOpts.onIdleError = opts.onIdleError;
    return openPg(pgOpts);
  }
  return openPglite({ dataDir: path.join(opts.dataDir, PGLITE_SUBDIR) });
}

/** The Db, migrated, and the Store over it. */
export async function openStore(opts: OpenOptions): Promise<{ db: Db; store: Store }> {
  const db = await openDb(opts);
  try {
    await migrate(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  return { db, store: createSqlStore(db) };
}
