/**
 * The `Db` port on a PostgreSQL server through a `pg` Pool. Each transaction
 * takes one pooled client for its whole span; statements outside a
 * transaction take any client. Several service processes share the server:
 * what must hold across them is in constraints and single statements.
 */
import pg from 'pg';
import type { Db, QueryResult, Queryable, Row } from './db.js';
import { parseInt8 } from './db.js';

const INT8_OID = 20;

export interface PgOptions {
  connectionString: string;
  /** connections in the pool (default 10) */
  max?: number;
  /** fail a connection attempt after this many ms (default 5000) */
  connectTimeoutMs?: number;
  /** cancel any statement running longer (default 30000) */
  statementTimeoutMs?: number;
  /** called when an idle client fails (server restart); the pool replaces it */
  onIdleError?: (err: Error) => void;
}

const typeParser: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  return {
    async query<R extends Row = Row>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const result = await client.query<R>({ text, values: params as unknown[], types: typeParser });
      // several statements (simple protocol, no parameters) give one result each: the last one counts
      const r = (Array.isArray(result) ? result[result.length - 1] : result) as pg.QueryResult<R>;
      return { rows: r.rows, rowCount: r.rowCount ?? r.rows.length };
    },
  };
}

export async function openPg(opts: PgOptions): Promise<Db> {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    max: opts.max ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 5000,
    statement_timeout: opts.statementTimeoutMs ?? 30_000,
    application_name: 'coupon-platform',
  });
  // an idle client's error would otherwise be an unhandled 'error' event and kill the process
  pool.on('error', (err) => opts.onIdleError?.(err));
  const base = wrap(pool);
  await base.query('SELECT 1'); // fail at start-up, naming the URL's problem, not at the first request
  return {
    engine: 'postgres',
    query: (text, params) => base.query(text, params),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: unknown;
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackErr: unknown) => (broken = rollbackErr));
        throw err;
      } finally {
        // a client whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it
        client.release(broken as Error | undefined);
      }
    },
    async close() {
      await pool.end();
    },
  };
}
