/**
 * The service's lifecycle: open the store (migrating it), initialise the
 * platform, register this data directory's admin token, listen; `stop()`
 * stops accepting, lets in-flight requests finish, then closes the database.
 * `coupon-platform serve` and the socket tests both start it here.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../store/db.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/store.js';
import { ensureAdminToken } from './admin-token.js';
import { buildApp, type TerminalRoutes } from './app.js';
import { serviceConfig, type ServiceConfig } from './config.js';
import { initPlatform } from './platform-init.js';
import { SERVICE_TERMINAL_ROUTES } from './terminal-routes.js';
import type { App } from './types.js';

export interface StartOptions {
  dataDir: string;
  databaseUrl?: string;
  host: string;
  port: number;
  platformId?: string;
  tls?: { certFile: string; keyFile: string };
  config?: Partial<ServiceConfig>;
  logger: FastifyBaseLogger;
  /** default: SERVICE_TERMINAL_ROUTES */
  terminalRoutes?: TerminalRoutes[];
  now?: () => number;
}

export interface RunningService {
  url: string;
  platformId: string;
  adminTokenFile: string;
  app: App;
  store: Store;
  /** the database under the store (benchmarks measure plain SQL beside the service on the same connection) */
  db: Db;
  stop(): Promise<void>;
}

const PRUNE_EVERY_MS = 10 * 60_000;

export async function startService(opts: StartOptions): Promise<RunningService> {
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const config = serviceConfig(opts.config);
  const log = opts.logger;
  const { db, store } = await openStore({
    dataDir: opts.dataDir,
    ...(opts.databaseUrl === undefined ? {} : { databaseUrl: opts.databaseUrl }),
    onIdleError: (err) => log.warn({ err }, 'idle database connection failed'),
  });
  try {
    const deps = { store, config, engine: db.engine, now: opts.now ?? Date.now };
    const { platformId, created } = await initPlatform(deps, opts.platformId === undefined ? {} : { platformId: opts.platformId });
    log.info({ platformId, created, engine: db.engine }, created ? 'platform created' : 'platform opened');
    const adminTokenFile = await ensureAdminToken(opts.dataDir, store);
    const https = opts.tls ? { cert: readFileSync(opts.tls.certFile), key: readFileSync(opts.tls.keyFile) } : undefined;
    const app = await buildApp({ deps, logger: log, ...(https ? { https } : {}), terminalRoutes: opts.terminalRoutes ?? [...SERVICE_TERMINAL_ROUTES] });
    const prune = setInterval(() => void store.pruneNonces().catch((err: unknown) => log.warn({ err }, 'nonce pruning failed')), PRUNE_EVERY_MS);
    prune.unref();
    app.addHook('onClose', async () => clearInterval(prune));
    await app.listen({ host: opts.host, port: opts.port });
    const address = app.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `${https ? 'https' : 'http'}://${host}:${address.port}`;
    let stopping: Promise<void> | undefined;
    return {
      url, platformId, adminTokenFile, app, store, db,
      stop: () => (stopping ??= (async () => {
        await app.close();
        await store.close();
      })()),
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
