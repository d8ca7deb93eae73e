/** What every plugin of the service receives from the composition root. */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Store } from '../store/store.js';
import type { ServiceConfig } from './config.js';

export type App = FastifyInstance<Server, IncomingMessage, ServerResponse, FastifyBaseLogger, TypeBoxTypeProvider>;

export interface ServiceDeps {
  store: Store;
  config: Readonly<ServiceConfig>;
  engine: 'pglite' | 'postgres';
  /** Unix ms; tests move it */
  now: () => number;
}
