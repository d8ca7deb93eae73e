/**
 * Reading a JSON payload against its TypeBox schema: strict UTF-8, JSON, then
 * ajv with every issue reported by its path. Used by the decode helpers of
 * this folder until the shared protocol validator lands; each schema is
 * compiled once, when its module first checks a value.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Static, TSchema } from 'typebox';

export type PayloadResult<T> = { ok: true; value: T } | { ok: false; message: string };

export interface PayloadReader<S extends TSchema> {
  /** Reads UTF-8 JSON bytes (or text) and checks them against the schema. */
  read(input: Uint8Array | string): PayloadResult<Static<S>>;
  /** Checks an already parsed value. */
  check(value: unknown): PayloadResult<Static<S>>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A reader for one schema; `what` names the payload in messages (e.g. "trust bundle"). */
export function payloadReader<S extends TSchema>(schema: S, what: string): PayloadReader<S> {
  let validate: ValidateFunction | undefined;
  const reader: PayloadReader<S> = {
    read(input) {
      let text: string;
      try {
        text = typeof input === 'string' ? input : utf8.decode(input);
      } catch {
        return { ok: false, message: `${what} is not UTF-8 text` };
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (err) {
        return { ok: false, message: `${what} is not JSON: ${(err as Error).message}` };
      }
      return reader.check(value);
    },
    check(value) {
      validate ??= new Ajv({ allErrors: true, strict: true }).compile(schema);
      if (validate(value)) return { ok: true, value: value as Static<S> };
      return { ok: false, message: `${what}: ${(validate.errors ?? []).map(describeIssue).join('; ')}` };
    },
  };
  return reader;
}

/** One ajv issue as "field: problem", naming the unexpected property too. */
function describeIssue(issue: ErrorObject): string {
  const field = issue.instancePath === '' ? '(top level)' : issue.instancePath.slice(1).replaceAll('/', '.');
  if (issue.keyword === 'additionalProperties') return `${field}: unexpected field '${String(issue.params['additionalProperty'])}'`;
  if (issue.keyword === 'required') return `${field}: missing field '${String(issue.params['missingProperty'])}'`;
  return `${field}: ${issue.message ?? issue.keyword}`;
}
