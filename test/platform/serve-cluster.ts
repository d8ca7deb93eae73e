/**
 * Several `serve` processes on one PostgreSQL database, as behind a load
 * balancer, for tests: each with its own data directory and admin token, a
 * `pg` client on the database for the test's own looks, admin calls, and the
 * platform keys a kiosk would have pinned.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { publicKeyFromPem } from '../../coupon/keys.js';
import type { PlatformKey } from '../../coupon/types.js';
import { bundleKeyOf } from '../../protocol/documents.js';
import { requireTestDatabase, type TestDatabase } from '../support/postgres.js';
import { spawnServe, type ServeProcess } from './spawn-serve.js';

export interface Cluster {
  db: TestDatabase;
  serves: ServeProcess[];
  dirs: string[];
  sql: pg.Client;
  /** an admin call to process `i` with its own token */
  admin(i: number, method: string, route: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> & { token?: string } }>;
  /** an enrollment token for shop-1/`branch`, made through process `i` */
  token(i?: number, branch?: string): Promise<string>;
  /** the platform signing keys as a kiosk pins them */
  trustedKeys(): Promise<PlatformKey[]>;
  /** restarts process `i` (after a kill) on its data directory; on a new port unless `samePort` (kiosks enrolled at its URL) */
  restart(i: number, samePort?: boolean): Promise<void>;
  stop(): Promise<void>;
}

/** `n` processes started together on an empty database, merchant shop-1 with branches north and south. */
export async function startCluster(ctx: Mocha.Context, n = 2, platformId = 'plat-pg'): Promise<Cluster> {
  const db = await requireTestDatabase(ctx);
  const dirs = Array.from({ length: n }, () => mkdtempSync(path.join(os.tmpdir(), 'coupon-serve-pg-')));
  const serves = await Promise.all(dirs.map((d) => spawnServe(['--data', d, '--database', db.url, '--platform-id', platformId])));
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  const c: Cluster = {
    db, serves, dirs, sql,
    async admin(i, method, route, body) {
      const token = readFileSync(path.join(dirs[i]!, 'admin-token'), 'utf8').trim();
      const r = await fetch(`${serves[i]!.url}/v1/admin${route}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    },
    async token(i = 0, branch = 'north') {
      return (await c.admin(i, 'POST', '/enrollment-tokens', { merchantId: 'shop-1', branchId: branch })).body.token!;
    },
    async trustedKeys() {
      const keys = (await sql.query<{ public_spki: Buffer }>('SELECT public_spki FROM signing_keys')).rows;
      return keys.map((k) => {
        const publicKey = publicKeyFromPem(`-----BEGIN PUBLIC KEY-----\n${k.public_spki.toString('base64')}\n-----END PUBLIC KEY-----\n`);
        const e = bundleKeyOf(publicKey);
        return { kid: Uint8Array.from(Buffer.from(e.kid, 'hex')), alg: e.alg === 'EdDSA' ? -8 : -37, publicKey } as PlatformKey;
      });
    },
    async restart(i, samePort = false) {
      const listen = samePort ? ['--listen', new URL(serves[i]!.url).host] : [];
      serves[i] = await spawnServe(['--data', dirs[i]!, '--database', db.url, ...listen]);
    },
    async stop() {
      await sql.end();
      await Promise.all(serves.filter((s) => s.child.exitCode === null && s.child.signalCode === null).map((s) => s.stop()));
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
      await db.drop();
    },
  };
  if ((await c.admin(0, 'POST', '/merchants', { merchantId: 'shop-1' })).status !== 201) throw new Error('merchant shop-1 not made');
  for (const b of ['north', 'south']) await c.admin(n - 1, 'POST', '/merchants/shop-1/branches', { branchId: b });
  return c;
}
