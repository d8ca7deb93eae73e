/**
 * The store's engines for contract suites: PGlite always, PostgreSQL from
 * test/support/postgres.ts (pending outside CI when no server can be had).
 */
import type { Db } from '../../../platform/store/db.js';
import { migrate } from '../../../platform/store/migrate.js';
import { openPg } from '../../../platform/store/pg-db.js';
import { createSqlStore } from '../../../platform/store/sql-store.js';
import type { Store } from '../../../platform/store/store.js';
import { migratedPglite } from '../../support/pglite.js';
import { requireTestDatabase } from '../../support/postgres.js';

export interface Engine {
  name: 'pglite' | 'postgres';
  /** a migrated, empty database; `close` also drops it */
  open(ctx: Mocha.Context): Promise<{ db: Db; store: Store; url?: string; close(): Promise<void> }>;
}

/** The first PGlite of a process runs initdb (~9 s, more on a busy machine), the first PostgreSQL test starts a cluster. */
export function slowStart(ctx: Mocha.Context): void {
  ctx.timeout(Math.max(ctx.timeout(), 120_000));
}

export const ENGINES: Engine[] = [
  {
    name: 'pglite',
    async open(ctx) {
      slowStart(ctx);
      const db = await migratedPglite();
      return { db, store: createSqlStore(db), close: () => db.close() };
    },
  },
  {
    name: 'postgres',
    async open(ctx) {
      slowStart(ctx);
      const test = await requireTestDatabase(ctx);
      const db = await openPg({ connectionString: test.url });
      await migrate(db);
      return {
        db,
        url: test.url,
        store: createSqlStore(db),
        async close() {
          await db.close();
          await test.drop();
        },
      };
    },
  },
];
