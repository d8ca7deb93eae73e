/**
 * The `Db` port: the one way the platform talks to its database, so that the
 * same SQL runs on PGlite (embedded, a data directory) and on a PostgreSQL
 * server through `pg`.
 *
 * Contract, for every adapter:
 * - `query(text, params)` runs one statement with `$1…$n` parameters (never
 *   string interpolation) and resolves with its rows; statements outside a
 *   transaction autocommit. Without parameters the text may hold several
 *   statements (PostgreSQL's simple protocol; migrations use it) and the
 *   rows are those of the last one.
 * - `transaction(fn)` runs `fn` on one connection between BEGIN and COMMIT.
 *   It commits when `fn` resolves and rolls back when it rejects (the
 *   rejection is passed on). Nothing else runs on that connection meanwhile.
 * - Values come back normalised: int8 as a JavaScript number (an error past
 *   2^53), bytea as a Uint8Array, timestamptz as a Date, numeric as a string.
 * - Errors keep PostgreSQL's SQLSTATE in `code` and, for a constraint
 *   violation, the constraint's name in `constraint`: callers map them to
 *   their own coded errors (a unique violation is an answer, not a crash).
 * - `close()` waits for running statements and releases every connection;
 *   calling anything afterwards rejects.
 */
/** A result row; callers name its shape (the SQL aliases columns to camelCase). */
export type Row = object;

export interface QueryResult<R extends Row = Row> {
  rows: R[];
  /** rows inserted, updated, deleted or returned */
  rowCount: number;
}

export interface Queryable {
  query<R extends Row = Row>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>>;
}

export interface Db extends Queryable {
  /** which engine, for logs and the health route */
  readonly engine: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The PostgreSQL error fields callers act on. */
export interface DbError extends Error {
  code?: string;
  constraint?: string;
}

export const SQLSTATE = {
  UNIQUE_VIOLATION: '23505',
  FOREIGN_KEY_VIOLATION: '23503',
  CHECK_VIOLATION: '23514',
  NOT_NULL_VIOLATION: '23502',
  SERIALIZATION_FAILURE: '40001',
  DEADLOCK_DETECTED: '40P01',
} as const;

/** True when `err` is a violation of the named constraint (or of any unique constraint without a name). */
export function isViolation(err: unknown, sqlstate: string, constraint?: string): boolean {
  const e = err as DbError;
  return e?.code === sqlstate && (constraint === undefined || e.constraint === constraint);
}

/** int8/count(*) → number, refusing what a double cannot hold exactly. */
export function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value ${text} is beyond 2^53`);
  return n;
}

/**
 * `db.transaction(fn)`, again on a deadlock or serialisation failure (40P01,
 * 40001): PostgreSQL rolled the transaction back whole, so a transaction
 * whose statements are all conditional is safe to run again.
 */
export async function retryTransaction<T>(db: Db, fn: (tx: Queryable) => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await db.transaction(fn);
    } catch (err) {
      const code = (err as DbError)?.code;
      if (i >= attempts || (code !== SQLSTATE.DEADLOCK_DETECTED && code !== SQLSTATE.SERIALIZATION_FAILURE)) throw err;
      await new Promise((resolve) => setTimeout(resolve, 5 * 2 ** i * Math.random()));
    }
  }
}
