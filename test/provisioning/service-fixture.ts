/**
 * The real platform service in the test process (PGlite from a prepared data
 * directory, a real socket, HTTP or HTTPS), with its admin API at hand: for
 * the kiosk's transport and enrollment over real sockets without the few
 * seconds a `serve` process takes to start.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { memoryLogger } from '../../platform/service/logger.js';
import { startService, type RunningService } from '../../platform/service/server.js';
import { preparedDataDir } from '../support/pglite.js';

export interface ServiceFixture {
  service: RunningService;
  url: string;
  data: string;
  logs: string[];
  admin(method: string, route: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** a merchant with a branch `north` */
  merchant(id: string, claim?: string): Promise<void>;
  token(merchantId: string, ttlSeconds?: number): Promise<{ token: string; platformKid: string }>;
  stop(): Promise<void>;
}

export async function startFixture(opts: { tls?: { certFile: string; keyFile: string }; platformId?: string; now?: () => number } = {}): Promise<ServiceFixture> {
  const data = await preparedDataDir();
  const { logger, lines } = memoryLogger('info');
  const service = await startService({ dataDir: data, host: '127.0.0.1', port: 0, logger, platformId: opts.platformId ?? 'plat-test', ...(opts.tls ? { tls: opts.tls } : {}), ...(opts.now ? { now: opts.now } : {}) });
  const adminToken = readFileSync(service.adminTokenFile, 'utf8').trim();
  const admin = async (method: string, route: string, body?: unknown) => {
    const r = await service.app.inject({ method: method as 'GET', url: `/v1/admin${route}`, headers: { authorization: `Bearer ${adminToken}` }, ...(body === undefined ? {} : { payload: body as object }) });
    return { status: r.statusCode, body: r.json() as Record<string, unknown> };
  };
  return {
    service, url: service.url, data, logs: lines, admin,
    async merchant(id, claim = 'offline') {
      const m = await admin('POST', '/merchants', { merchantId: id, claimMode: claim });
      if (m.status !== 201) throw new Error(JSON.stringify(m.body));
      const b = await admin('POST', `/merchants/${id}/branches`, { branchId: 'north' });
      if (b.status !== 201) throw new Error(JSON.stringify(b.body));
    },
    async token(merchantId, ttlSeconds) {
      const r = await admin('POST', '/enrollment-tokens', { merchantId, branchId: 'north', ...(ttlSeconds ? { ttlSeconds } : {}) });
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
      return { token: r.body['token'] as string, platformKid: r.body['platformKid'] as string };
    },
    async stop() {
      await service.stop();
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/** A self-signed certificate for 127.0.0.1 (openssl, as a technician would make one). */
export function selfSigned(dir: string, name: string): { certFile: string; keyFile: string; cert: string } {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8') };
}
