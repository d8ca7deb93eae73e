/**
 * Reading a JSON payload against its TypeBox schema: strict UTF-8, JSON, then
 * ajv with every issue reported by its path (protocol/payload-reader.ts).
 * Each schema is compiled once, when its reader first checks a value; the
 * readers on the kiosk's start path use checks compiled at build time
 * instead (tools/validators.ts).
 */
import { Ajv, type Options } from 'ajv';
import type { Static, TSchema } from 'typebox';
import { jsonReader, type JsonReader } from './payload-reader.js';
import type { CompiledCheck } from './validation.js';

export type { PayloadResult } from './payload-reader.js';

export type PayloadReader<S extends TSchema> = JsonReader<Static<S>>;

/** ajv's options for payload readers (tools/validators.ts compiles with the same). */
export const PAYLOAD_OPTIONS = { allErrors: true, strict: true } as const satisfies Options;

export function payloadAjv(options: Options = {}): Ajv {
  return new Ajv({ ...PAYLOAD_OPTIONS, ...options });
}

/** A reader for one schema; `what` names the payload in messages (e.g. "trust bundle"). */
export function payloadReader<S extends TSchema>(schema: S, what: string): PayloadReader<S> {
  let validate: CompiledCheck | undefined;
  return jsonReader<Static<S>>(() => (validate ??= payloadAjv().compile(schema) as CompiledCheck), what);
}
