/**
 * Admin authentication for every route registered in the same encapsulated
 * context: `Authorization: Bearer <token>`, checked by its SHA-256 against
 * the registered hashes (constant-time compare; only hashes are stored).
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../errors.js';
import { tokenHash } from '../tokens.js';
import type { App, ServiceDeps } from '../types.js';

const BEARER = /^Bearer ([A-Za-z0-9_-]{16,256})$/;


export function requireAdmin(app: App, deps: ServiceDeps): void {
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const header = req.headers.authorization;
    if (header === undefined) throw new HttpError('ADMIN_AUTH_REQUIRED', 'admin routes need Authorization: Bearer <admin token> (the file admin-token in the data directory)');
    const m = BEARER.exec(header);
    if (!m || !(await deps.store.isAdminToken(tokenHash(m[1]!)))) throw new HttpError('ADMIN_TOKEN_INVALID', 'the admin token is not valid for this platform');
  });
}
