/**
 * A whole platform service for tests: a migrated store (PGlite in memory, or
 * a PostgreSQL database), the platform initialised, an admin token, the
 * Fastify app with a memory logger; `api()` calls it through inject().
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../../platform/service/app.js';
import { serviceConfig, type ServiceConfig } from '../../../platform/service/config.js';
import { SERVICE_TERMINAL_ROUTES } from '../../../platform/service/terminal-routes.js';
import { memoryLogger } from '../../../platform/service/logger.js';
import { initPlatform } from '../../../platform/service/platform-init.js';
import { tokenHash } from '../../../platform/service/tokens.js';
import type { App, ServiceDeps } from '../../../platform/service/types.js';
import type { Store } from '../../../platform/store/store.js';
import { ENGINES, type Engine } from '../store/engines.js';
import type { PlatformKey } from '../../../coupon/types.js';
import { COSE_ALG, publicKeyOf } from '../../../platform/service/keys.js';
import { socketTransport, type Transport } from './terminal-client.js';

export interface Harness {
  app: App;
  store: Store;
  deps: ServiceDeps;
  adminToken: string;
  platformId: string;
  logs: string[];
  /** an admin call through inject(); `token: null` sends none */
  api(method: string, url: string, body?: unknown, opts?: { token?: string | null; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startHarness(ctx: Mocha.Context, engine: Engine = ENGINES[0]!, config: Partial<ServiceConfig> = {}, now = () => Date.now()): Promise<Harness> {
  const opened = await engine.open(ctx);
  const { logger, lines } = memoryLogger('debug');
  const deps: ServiceDeps = { store: opened.store, config: serviceConfig(config), engine: engine.name, now };
  const { platformId } = await initPlatform(deps, { platformId: 'test-platform' });
  const adminToken = randomBytes(32).toString('base64url');
  await opened.store.registerAdminToken(tokenHash(adminToken), 'test');
  const app = await buildApp({ deps, logger, terminalRoutes: [...SERVICE_TERMINAL_ROUTES] });
  await app.ready();
  return {
    app, store: opened.store, deps, adminToken, platformId, logs: lines,
    api(method, url, body, opts = {}) {
      const token = opts.token === undefined ? adminToken : opts.token;
      const headers: Record<string, string> = { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...opts.headers };
      return app.inject({ method: method as 'GET', url, headers, ...(body === undefined ? {} : { payload: body as object }) });
    },
    async close() {
      await app.close();
      await opened.close();
    },
  };
}

/** The platform's valid signing keys as a kiosk's trust entries (what a pinned kid stands for in tests). */
export async function platformKeys(store: Store): Promise<PlatformKey[]> {
  return (await store.validSigningKeys()).map((k) => ({ kid: Uint8Array.from(Buffer.from(k.kid, 'hex')), alg: COSE_ALG[k.alg], publicKey: publicKeyOf(k) }));
}

/** A fresh enrollment token for a branch, through the admin API. */
export async function enrollmentToken(h: Harness, merchantId: string, branchId: string, ttlSeconds?: number): Promise<string> {
  const r = await h.api('POST', '/v1/admin/enrollment-tokens', { merchantId, branchId, ...(ttlSeconds ? { ttlSeconds } : {}) });
  if (r.statusCode !== 201) throw new Error(r.body);
  return (r.json() as { token: string }).token;
}

/** inject() as a terminal-client transport. */
export function injectTransport(app: App): Transport {
  return async (req) => {
    const r = await app.inject({ method: req.method as 'GET', url: req.url, headers: req.headers, ...(req.body ? { payload: req.body } : {}) });
    return { status: r.statusCode, headers: r.headers as Record<string, string>, text: r.body };
  };
}

/** How a suite reaches the harness: inject(), or the app listening on a loopback port (the same suite once over a real socket). */
export async function transportOf(h: Harness, how: 'inject' | 'socket'): Promise<Transport> {
  if (how === 'inject') return injectTransport(h.app);
  await h.app.listen({ host: '127.0.0.1', port: 0 });
  return socketTransport(`http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`);
}
