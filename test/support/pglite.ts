/**
 * PGlite for tests. Its first start (initdb in WebAssembly) takes ~9 s and
 * ~0.8 GB, so the migrated database is made once per test process and kept
 * as a dump: every further instance loads it (~1 s). Share one instance per
 * test file and close it in `after`.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../../platform/store/migrate.js';
import { openPglite } from '../../platform/store/pglite-db.js';
import type { Db } from '../../platform/store/db.js';
import { PGLITE_SUBDIR } from '../../platform/store/open.js';

let template: Promise<Blob> | undefined;
let templateDir: Promise<string> | undefined;

/** An in-memory PGlite holding the migrated, empty schema. */
export async function migratedPglite(): Promise<Db> {
  template ??= (async () => {
    const db = await openPglite();
    await migrate(db);
    const dump = await db.dump();
    await db.close();
    return dump;
  })();
  return openPglite({ loadDataDir: await template });
}

/**
 * A fresh `serve --data` directory whose PGlite files are already migrated
 * (copied from a template made once per process), so a spawned service
 * starts in ~3 s instead of running initdb.
 */
export async function preparedDataDir(): Promise<string> {
  templateDir ??= (async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'coupon-pglite-template-'));
    const db = await openPglite({ dataDir: path.join(dir, PGLITE_SUBDIR) });
    await migrate(db);
    await db.close();
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  })();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coupon-data-'));
  cpSync(path.join(await templateDir, PGLITE_SUBDIR), path.join(dir, PGLITE_SUBDIR), { recursive: true });
  return dir;
}
