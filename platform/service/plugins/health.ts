/** `GET /v1/health`: for load balancers; 200 only when the database answers. */
import { HealthResponse } from '../../../protocol/api.js';
import { HttpError } from '../errors.js';
import { ERROR_RESPONSES } from '../schemas.js';
import type { App, ServiceDeps } from '../types.js';

export async function healthPlugin(app: App, deps: ServiceDeps): Promise<void> {
  app.get('/v1/health', {
    schema: { summary: 'Liveness and database check', tags: ['health'], response: { 200: HealthResponse, ...ERROR_RESPONSES } },
  }, async (req) => {
    try {
      const platformId = await deps.store.platformId();
      return { status: 'ok' as const, platformId, database: deps.engine, time: deps.now() };
    } catch (err) {
      req.log.error({ err }, 'health check: database failed');
      throw new HttpError('DATABASE_UNAVAILABLE', 'the database does not answer', { cause: err });
    }
  });
}
