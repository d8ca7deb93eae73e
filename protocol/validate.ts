/**
 * JSON validation shared by the kiosk and the platform: a TypeBox schema,
 * compiled once with ajv, checks a raw value and reports EVERY problem at
 * once, each with its dotted path (`display.ssd1306.address`,
 * `platforms[0].keys[1].kid`), the bad value and a message a technician can
 * act on; unknown keys are problems too (schemas say
 * `additionalProperties: false`). A valid value comes back as a copy with the
 * schema's defaults filled in, deeply frozen.
 *
 * A schema may carry `expected: '...'` on any sub-schema: what the value must
 * be, in words ("4 hex digits, e.g. \"0c2e\""). It becomes the message for a
 * pattern, union or type mismatch there, instead of a regular expression or a
 * list of the union's branches.
 *
 * Pure: no files, no sockets (layer 1, docs/architecture.md).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Static, TSchema } from 'typebox';

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

let shared: Ajv | undefined;

/**
 * One ajv for every schema: compiling is the costly part, and it is done once
 * per schema. Without ajv's code optimizer: these files are validated once, at
 * start-up, where compiling is most of the cost (the optimizer roughly doubles
 * it and saves microseconds per validation).
 */
function ajv(): Ajv {
  shared ??= new Ajv({ allErrors: true, useDefaults: true, verbose: true, strict: true, code: { optimize: false } }).addKeyword(EXPECTED);
  return shared;
}

export function compileSchema<S extends TSchema>(schema: S): Validator<Static<S>> {
  const check = ajv().compile(schema) as ValidateFunction;
  return {
    validate(raw: unknown): Validated<Static<S>> {
      const copy = raw === undefined ? undefined : (structuredClone(raw) as unknown);
      if (check(copy)) return { ok: true, value: deepFreeze(copy as Static<S>) };
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
