/**
 * The platform service's composition root: one Fastify instance with the
 * cross-cutting settings (limits, timeouts, validation, errors, logging,
 * OpenAPI) and one plugin per concern. Everything it needs is injected.
 *
 * Where later features plug in: terminal routes (uploads, claims, USB
 * batches) are plugins registered inside `terminalScope` below, so the
 * terminal authentication and the signed answers apply to them unchanged.
 */
import Fastify, { type FastifyBaseLogger, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ServiceConfig } from './config.js';
import { installErrorHandlers, notFound } from './errors.js';
import { ERROR_SCHEMA } from './schemas.js';
import { adminPlugin } from './plugins/admin.js';
import { enrollmentPlugin } from './plugins/enrollment.js';
import { healthPlugin } from './plugins/health.js';
import { requireTerminal, signAnswers } from './plugins/terminal-auth.js';
import { terminalPlugin } from './plugins/terminal.js';
import type { App, ServiceDeps } from './types.js';
import { installValidators } from './validation.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** the body's bytes as received (terminal signatures cover their digest) */
    rawBody?: Buffer;
  }
}

/** Extra terminal-route plugins (issue 9 uploads and claims, issue 10 USB batches) register here. */
export type TerminalRoutes = (app: App, deps: ServiceDeps) => Promise<void>;

export interface BuildOptions {
  deps: ServiceDeps;
  logger: FastifyBaseLogger;
  /** serve HTTPS with this certificate chain and key (PEM) */
  https?: { cert: Buffer; key: Buffer };
  terminalRoutes?: TerminalRoutes[];
}

export const OPENAPI_INFO = {
  title: 'coupon-platform',
  description: 'The platform service of coupon-kiosk: admin API, terminal enrollment and the terminal protocol (docs/protocol.md).',
  version: '1',
};

function fastifyOptions(config: Readonly<ServiceConfig>, logger: FastifyBaseLogger, https: BuildOptions['https']) {
  return {
    ...(https ? { https } : {}),
    loggerInstance: logger,
    bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs * 2,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    // after close() starts, new requests get 503 while in-flight ones finish
    return503OnClosing: true,
    forceCloseConnections: 'idle' as const,
    requestIdHeader: false as const,
    // the query string parser must not build nested objects or arrays from a[b]=c
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
  };
}

/** JSON bodies are parsed by Fastify's own safe parser, after keeping the raw bytes. */
function keepRawJson(app: App): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req: FastifyRequest, body: Buffer, done) => {
    req.rawBody = body;
    void parse(req as FastifyRequest<never>, body.toString('utf8'), done);
  });
}

/** Every terminal route: authenticated, answers signed. The sync and USB engineers add theirs via `terminalRoutes`. */
async function terminalScope(app: App, deps: ServiceDeps, extra: TerminalRoutes[]): Promise<void> {
  signAnswers(app, deps);
  requireTerminal(app, deps);
  // a path this platform does not have (an older platform than the kiosk) is authenticated and its 404 signed,
  // so the kiosk can tell "not here" from a forged answer
  app.setNotFoundHandler(notFound);
  await terminalPlugin(app, deps);
  for (const routes of extra) await routes(app, deps);
}

export async function buildApp(opts: BuildOptions): Promise<App> {
  const { deps } = opts;
  const app = Fastify(fastifyOptions(deps.config, opts.logger, opts.https)).withTypeProvider<TypeBoxTypeProvider>() as unknown as App;
  installValidators(app);
  installErrorHandlers(app);
  keepRawJson(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: OPENAPI_INFO,
      components: {
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer', description: 'the admin token (DIR/admin-token)' },
          terminalSignature: { type: 'apiKey', in: 'header', name: 'Signature', description: 'RFC 9421 signature by the terminal key (docs/protocol.md)' },
        },
      },
    },
  });
  app.addSchema(ERROR_SCHEMA);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(async (scope) => healthPlugin(scope as App, deps));
  await app.register(async (scope) => adminPlugin(scope as App, deps), { prefix: '/v1/admin' });
  await app.register(async (scope) => enrollmentPlugin(scope as App, deps));
  await app.register(async (scope) => terminalScope(scope as App, deps, opts.terminalRoutes ?? []), { prefix: '/v1/terminal' });
  return app;
}
