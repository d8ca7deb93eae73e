/**
 * The ajv-free half of protocol/json-payload.ts: reading a JSON payload with
 * a compiled check (compiled at run time by json-payload.ts, or at build time
 * into dist/protocol/generated/payload-validators.js for the kiosk's start
 * path) and naming every issue by its path.
 */
import type { CompiledCheck } from './validation.js';

export type PayloadResult<T> = { ok: true; value: T } | { ok: false; message: string };

export interface JsonReader<T> {
  /** Reads UTF-8 JSON bytes (or text) and checks them against the schema. */
  read(input: Uint8Array | string): PayloadResult<T>;
  /** Checks an already parsed value. */
  check(value: unknown): PayloadResult<T>;
}

/** Issues as ajv reports them (a subset of its ErrorObject). */
interface PayloadIssue {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A reader around a check made on first use; `what` names the payload in messages (e.g. "trust bundle"). */
export function jsonReader<T>(compiled: () => CompiledCheck, what: string): JsonReader<T> {
  const reader: JsonReader<T> = {
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
      const validate = compiled();
      if (validate(value)) return { ok: true, value: value as T };
      return { ok: false, message: `${what}: ${(validate.errors ?? []).map(describeIssue).join('; ')}` };
    },
  };
  return reader;
}

/** One ajv issue as "field: problem", naming the unexpected property too. */
function describeIssue(issue: PayloadIssue): string {
  const field = issue.instancePath === '' ? '(top level)' : issue.instancePath.slice(1).replaceAll('/', '.');
  if (issue.keyword === 'additionalProperties') return `${field}: unexpected field '${String(issue.params['additionalProperty'])}'`;
  if (issue.keyword === 'required') return `${field}: missing field '${String(issue.params['missingProperty'])}'`;
  return `${field}: ${issue.message ?? issue.keyword}`;
}
