/**
 * The platform benchmarks run each measurement on PGlite and on PostgreSQL
 * (COUPON_TEST_PG_URL, or a throwaway cluster from Debian's binaries, as the
 * tests do); without a PostgreSQL the section says so instead of failing.
 */
import { createTestDatabase } from '../test/support/postgres.js';

export async function onEachEngine<T>(measure: (name: 'PGlite' | 'PostgreSQL', databaseUrl: string | undefined) => Promise<T[]>): Promise<{ rows: T[]; note: string }> {
  const rows = await measure('PGlite', undefined);
  try {
    const db = await createTestDatabase();
    try {
      rows.push(...(await measure('PostgreSQL', db.url)));
    } finally {
      await db.drop();
    }
  } catch (err) {
    return { rows, note: `\nPostgreSQL not measured: ${(err as Error).message}\n` };
  }
  return { rows, note: '' };
}
