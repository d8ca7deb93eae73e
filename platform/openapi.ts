/**
 * `npm run openapi`: writes docs/openapi.json, generated from the route
 * schemas by @fastify/swagger (a test fails when the committed file is
 * stale). No database: the routes are registered, never called.
 */
import { writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { buildApp } from './service/app.js';
import { serviceConfig } from './service/config.js';
import { SERVICE_TERMINAL_ROUTES } from './service/terminal-routes.js';
import type { Store } from './store/store.js';

/** A store that refuses every call: generating the document must not need one. */
const noStore = new Proxy({} as Store, {
  get: (_t, name) => () => Promise.reject(new Error(`the OpenAPI generator called store.${String(name)}`)),
});

export async function openApiDocument(): Promise<string> {
  const app = await buildApp({ deps: { store: noStore, config: serviceConfig(), engine: 'pglite', now: Date.now }, logger: pino({ level: 'silent' }), terminalRoutes: [...SERVICE_TERMINAL_ROUTES] });
  await app.ready();
  const doc = app.swagger();
  await app.close();
  return JSON.stringify(doc, null, 2) + '\n';
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/dist\//, '/dist/'));
if (isMain) {
  openApiDocument().then(
    (text) => {
      writeFileSync(process.argv[2] ?? 'docs/openapi.json', text);
      process.stderr.write(`wrote ${process.argv[2] ?? 'docs/openapi.json'}\n`);
    },
    (err: unknown) => {
      process.stderr.write(`openapi failed: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
