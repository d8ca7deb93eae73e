/**
 * A tiny hand-written schema reader: each field is read with its default and a
 * check, and every problem is collected (not thrown) so that a technician sees
 * all mistakes in config.json at once.
 */
export interface ConfigIssue {
  /** dotted path in config.json, e.g. "display.ssd1306.address" */
  path: string;
  value: unknown;
  message: string;
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly issues: readonly ConfigIssue[], source = 'config') {
    super(`${source}: ${issues.length} problem(s):\n` + issues.map((i) => `  - ${formatIssue(i)}`).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatIssue(i: ConfigIssue): string {
  return `${i.path}: ${i.message} (got ${JSON.stringify(i.value) ?? String(i.value)})`;
}

/** Returns an error message, or undefined when the value is fine. */
export type Check = (v: unknown) => string | undefined;

export type Obj = Record<string, unknown>;

export class ConfigReader {
  readonly issues: ConfigIssue[] = [];

  /** A nested section: missing means all defaults; present must be an object with known keys only. */
  section(parent: Obj, key: string, path: string, known: readonly string[]): Obj {
    const v = parent[key];
    const here = join(path, key);
    if (v === undefined) return {};
    if (!isObj(v)) {
      this.issue(here, v, 'must be an object');
      return {};
    }
    this.unknownKeys(v, here, known);
    return v;
  }

  unknownKeys(obj: Obj, path: string, known: readonly string[]): void {
    for (const k of Object.keys(obj)) {
      if (!known.includes(k)) this.issue(join(path, k), obj[k], `unknown key (known: ${known.join(', ')})`);
    }
  }

  field<T>(obj: Obj, key: string, path: string, def: T, check: Check): T {
    const v = obj[key];
    if (v === undefined) return def;
    const problem = check(v);
    if (problem) {
      this.issue(join(path, key), v, problem);
      return def;
    }
    return v as T;
  }

  /** An optional field without default: undefined when absent. */
  optional<T>(obj: Obj, key: string, path: string, check: Check): T | undefined {
    return this.field<T | undefined>(obj, key, path, undefined, check);
  }

  issue(path: string, value: unknown, message: string): void {
    this.issues.push({ path, value, message });
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const checks = {
  text: ((v) => (typeof v === 'string' && v.trim().length > 0 ? undefined : 'must be a non-empty string')) as Check,
  bool: ((v) => (typeof v === 'boolean' ? undefined : 'must be true or false')) as Check,
  oneOf(values: readonly (string | number)[]): Check {
    return (v) => (values.includes(v as string) ? undefined : `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
  },
  int(min: number, max: number): Check {
    return (v) => (Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? undefined : `must be an integer from ${min} to ${max}`);
  },
  hex4: ((v) => (typeof v === 'string' && /^[0-9a-fA-F]{4}$/.test(v) ? undefined : 'must be 4 hex digits, e.g. "0c2e"')) as Check,
  /** letters, digits, dot, dash, underscore: it ends up in logs and exports */
  id: ((v) => (typeof v === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(v) ? undefined : 'must be 1-64 of A-Z a-z 0-9 . _ -')) as Check,
};

/** Freeze an object graph so that no module can change the validated config. */
export function deepFreeze<T>(value: T): Readonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Lay `over` onto `base` (raw JSON, before validation), objects merged key by
 * key: command-line overrides then go through the same checks as config.json.
 */
export function mergeRaw(base: unknown, over: Obj): unknown {
  if (!isObj(base)) return over;
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = isObj(v) && isObj(out[k]) ? mergeRaw(out[k], v) : v;
  return out;
}
