/**
 * The `Db` port on PGlite: PostgreSQL compiled to WebAssembly, in this
 * process, on a data directory (or in memory). One connection: PGlite runs
 * one statement at a time and holds a mutex for the whole of a transaction,
 * so its transactions are serial by construction.
 */
import { PGlite, types, type PGliteOptions } from '@electric-sql/pglite';
import type { Db, QueryResult, Queryable, Row } from './db.js';
import { parseInt8 } from './db.js';

const PARSERS = {
  [types.INT8]: (text: string) => parseInt8(text),
};

/**
 * Without parameters a text goes through the simple protocol (`exec`), as
 * `pg` does, so a migration file may hold several statements.
 */
function wrap(q: Pick<PGlite, 'query' | 'exec'>): Queryable {
  return {
    async query<R extends Row = Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      if (params.length === 0) {
        const results = await q.exec(text);
        const last = results[results.length - 1];
        const rows = (last?.rows ?? []) as R[];
        return { rows, rowCount: Math.max(last?.affectedRows ?? 0, rows.length) };
      }
      const r = await q.query<R>(text, params as unknown[]);
      // PGlite counts affected rows of writes only; pg counts a SELECT's rows too
      return { rows: r.rows, rowCount: Math.max(r.affectedRows ?? 0, r.rows.length) };
    },
  };
}

export interface PgliteOptions {
  /** a directory (created when missing), or undefined for memory only */
  dataDir?: string;
  /** start from a dump made by `dumpDataDir` (tests: a migrated template) */
  loadDataDir?: Blob | File;
}

export async function openPglite(opts: PgliteOptions = {}): Promise<Db & { dump(): Promise<Blob> }> {
  const options: PGliteOptions = { parsers: PARSERS };
  if (opts.dataDir !== undefined) options.dataDir = opts.dataDir;
  if (opts.loadDataDir !== undefined) options.loadDataDir = opts.loadDataDir;
  const pg = await PGlite.create(options);
  const base = wrap(pg);
  let closed = false;
  return {
    engine: 'pglite',
    query: (text, params) => {
      if (closed) return Promise.reject(new Error('database is closed'));
      return base.query(text, params);
    },
    transaction: (fn) => {
      if (closed) return Promise.reject(new Error('database is closed'));
      return pg.transaction((tx) => fn(wrap(tx)));
    },
    async close() {
      if (closed) return;
      closed = true;
      await pg.close();
    },
    async dump() {
      return pg.dumpDataDir('none');
    },
  };
}
