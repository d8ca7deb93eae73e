/**
 * Admin authentication for every route registered in the same encapsulated
 * context: `Authorization: Bearer <token>`, checked by its SHA-256 against
 * the registered hashes (constant-time compare; only hashes are stored).
 */
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import type { App, ServiceDeps } from '../types.js';

const BEARER = /^Bearer ([A-Za-z0-9_-]{16,256})$/;

export function adminTokenHash(token: string): Uint8Array {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function requireAdmin(app: App, deps: ServiceDeps): void {
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const header = req.headers.authorization;
    if (header === undefined) throw new HttpError('ADMIN_AUTH_REQUIRED', 'admin routes need Authorization: Bearer <admin token> (the file admin-token in the data directory)');
    const m = BEARER.exec(header);
    if (!m || !(await deps.store.isAdminToken(adminTokenHash(m[1]!)))) throw new HttpError('ADMIN_TOKEN_INVALID', 'the admin token is not valid for this platform');
  });
}
