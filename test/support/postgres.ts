/**
 * A real PostgreSQL server for tests. `COUPON_TEST_PG_URL` names one (CI sets
 * it after starting Debian's cluster); otherwise a throwaway cluster is made
 * from Debian's binaries (/usr/lib/postgresql/<v>/bin) in a temp directory,
 * on a free loopback port, run as the `postgres` user when we are root, and
 * removed when the test process exits. Each caller gets its own database.
 *
 * When neither is possible: in CI (`CI` set) the tests fail; elsewhere they
 * are marked pending with the reason.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

let server: Promise<string> | undefined;

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin/initdb'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : path.join(root, versions[0], 'bin');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary, as `postgres` when we are root (the server refuses to run as root). */
function pgRun(bin: string, args: string[]): void {
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function startCluster(): Promise<string> {
  const bin = binDir();
  if (!bin) throw new Error('no PostgreSQL binaries in /usr/lib/postgresql/*/bin (apt-get install postgresql), and COUPON_TEST_PG_URL is not set');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'coupon-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    chownSync(dir, uid, gid);
  }
  const data = path.join(dir, 'data');
  const port = await freePort();
  pgRun(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // durability off: these are throwaway test clusters (the kill -9 tests kill the service, not PostgreSQL)
  const opts = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  pgRun(path.join(bin, 'pg_ctl'), ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', 'start']);
  process.once('exit', () => {
    const asRoot = process.getuid?.() === 0;
    const stop = [path.join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', 'stop'];
    spawnSync(asRoot ? 'runuser' : stop[0]!, asRoot ? ['-u', 'postgres', '--', ...stop] : stop.slice(1), { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

/** The server's admin URL: COUPON_TEST_PG_URL or a cluster started once per test process. */
export function postgresServer(): Promise<string> {
  const url = process.env['COUPON_TEST_PG_URL'];
  if (url) return Promise.resolve(url);
  server ??= startCluster();
  return server;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** A fresh, empty database on the test server, dropped by `drop()`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = await postgresServer();
  const name = `coupon_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return {
    url: withDatabase(admin, name),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * For a mocha `before` hook: a fresh database, or the suite marked pending
 * (outside CI) with the reason why no server could be had.
 */
export async function requireTestDatabase(ctx: Mocha.Context): Promise<TestDatabase> {
  try {
    return await createTestDatabase();
  } catch (err) {
    if (process.env['CI']) throw new Error(`PostgreSQL is required in CI: ${(err as Error).message}`, { cause: err });
    process.stderr.write(`PostgreSQL tests pending: ${(err as Error).message}\n`);
    ctx.skip();
  }
}
