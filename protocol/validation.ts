/**
 * The ajv-free half of protocol/validate.ts: what turns a compiled check's
 * errors into issues. The kiosk's start path imports only this and the
 * validators compiled at build time (dist/protocol/generated/validators.js),
 * so it loads neither typebox nor ajv (docs/decisions.md).
 *
 * Pure: no files, no sockets (layer 1, docs/architecture.md).
 */
import type { ErrorObject } from 'ajv';

export interface ValidationIssue {
  /** dotted path, `(root)` for the value itself */
  path: string;
  /** the bad value (undefined for a missing required key) */
  value: unknown;
  message: string;
}

export type Validated<T> = { ok: true; value: Readonly<T> } | { ok: false; issues: ValidationIssue[] };

export interface Validator<T> {
  /** Check `raw` (never modified): a frozen copy with defaults, or every issue. */
  validate(raw: unknown): Validated<T>;
}

/** The annotation a schema uses to say, in words, what a value must be. */
export const EXPECTED = 'expected';

/**
 * A compiled check: ajv's validate function, compiled at run time
 * (protocol/validate.ts) or at build time into standalone code
 * (tools/validators.ts, for the kiosk's start path). Both report the same
 * errors, and validatorOf turns them into the same issues.
 */
export interface CompiledCheck {
  (data: unknown): boolean;
  errors?: ErrorObject[] | null;
}

/** The Validator around a compiled check (compiled with VALIDATOR_OPTIONS). */
export function validatorOf<T>(check: CompiledCheck): Validator<T> {
  return {
    validate(raw: unknown): Validated<T> {
      const copy = raw === undefined ? undefined : (structuredClone(raw) as unknown);
      if (check(copy)) return { ok: true, value: deepFreeze(copy as T) };
      return { ok: false, issues: issuesOf(check.errors ?? []) };
    },
  };
}

/** `path: message (got value)`, one line per issue. */
export function formatIssue(i: ValidationIssue): string {
  return `${i.path}: ${i.message} (got ${JSON.stringify(i.value) ?? String(i.value)})`;
}

/** Freeze an object graph so that no module can change a validated value. */
export function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * ajv's errors, one issue per path. A union (anyOf/oneOf) reports once, as
 * itself: the errors of its branches explain why each branch did not fit,
 * which is noise to someone who wrote one wrong value.
 */
function issuesOf(errors: readonly ErrorObject[]): ValidationIssue[] {
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => e.schemaPath + '/');
  const seen = new Set<string>();
  const out: ValidationIssue[] = [];
  for (const e of errors) {
    if (unions.some((u) => e.schemaPath.startsWith(u))) continue;
    const issue = toIssue(e);
    if (seen.has(issue.path)) continue;
    seen.add(issue.path);
    out.push(issue);
  }
  return out;
}

type Schema = Record<string, unknown>;

function toIssue(e: ErrorObject): ValidationIssue {
  const here = pathOf(e.instancePath);
  const parent = (e.parentSchema ?? {}) as Schema;
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') {
    const key = String(params['additionalProperty']);
    const known = Object.keys((parent['properties'] ?? {}) as Schema).join(', ');
    return { path: join(here, key), value: (e.data as Schema)[key], message: `unknown key (known: ${known})` };
  }
  if (e.keyword === 'required') return { path: join(here, String(params['missingProperty'])), value: undefined, message: 'is required' };
  return { path: here || '(root)', value: e.data, message: messageOf(e, parent, here === '') };
}

function messageOf(e: ErrorObject, parent: Schema, root: boolean): string {
  const expected = parent[EXPECTED];
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'enum':
      return `must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(params['allowedValue'])}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'type':
      return typeof expected === 'string' ? `must be ${expected}` : typeMessage(parent, root);
    case 'minLength':
      return params['limit'] === 1 ? 'must be a non-empty string' : `must be at least ${String(params['limit'])} characters`;
    case 'maxLength':
      return `must be at most ${String(params['limit'])} characters`;
    case 'minItems':
    case 'maxItems':
      return `must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${String(params['limit'])} item(s)`;
    default:
      // pattern, anyOf, oneOf, format: only words from the schema say what was meant
      return typeof expected === 'string' ? `must be ${expected}` : (e.message ?? `fails ${e.keyword}`);
  }
}

/** "must be an integer from 0 to 255", "must be true or false", ... */
function typeMessage(schema: Schema, root: boolean): string {
  const { type, minimum, maximum } = schema;
  if (type === 'integer' || type === 'number') {
    const what = type === 'integer' ? 'an integer' : 'a number';
    if (typeof minimum === 'number' && typeof maximum === 'number') return `must be ${what} from ${minimum} to ${maximum}`;
    if (typeof minimum === 'number') return `must be ${what} of at least ${minimum}`;
    if (typeof maximum === 'number') return `must be ${what} of at most ${maximum}`;
    return `must be ${what}`;
  }
  if (type === 'boolean') return 'must be true or false';
  if (type === 'object') return root ? 'must be a JSON object' : 'must be an object';
  if (type === 'array') return 'must be an array';
  if (type === 'string') return 'must be a string';
  return `must be of type ${String(type)}`;
}

/** JSON pointer (`/platforms/0/kid`) to the dotted path people read (`platforms[0].kid`). */
function pathOf(pointer: string): string {
  if (pointer === '') return '';
  let out = '';
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out = /^\d+$/.test(seg) ? `${out}[${seg}]` : join(out, seg);
  }
  return out;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
