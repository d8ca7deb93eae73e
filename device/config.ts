/**
 * The kiosk configuration (config.json in the kiosk home): its schema
 * (device/config-schema.ts, where sections are added) validated once at
 * start-up with every problem reported at once (protocol/validation.ts),
 * then defaults filled in, deeply frozen and passed around.
 */
import os from 'node:os';
import path from 'node:path';
import { kioskConfig } from '../protocol/generated/validators.js';
import { formatIssue, validatorOf, type ValidationIssue } from '../protocol/validation.js';
import type { RawConfig } from './config-schema.js';

export type ConfigIssue = ValidationIssue;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly issues: readonly ConfigIssue[], source = 'config') {
    super(`${source}: ${issues.length} problem(s):\n` + issues.map((i) => `  - ${formatIssue(i)}`).join('\n'));
    this.name = 'ConfigError';
  }
}

export interface KioskConfig extends Omit<RawConfig, 'terminalId'> {
  terminalId: string;
  /** absolute path of the ledger database (config value is relative to the home) */
  ledgerPath: string;
}

export interface ConfigContext {
  home: string;
  hostname?: string;
}

const validator = validatorOf<RawConfig>(kioskConfig);

/** Validate raw JSON (already parsed; undefined = no file) against the schema; throws ConfigError listing every problem. */
export function parseConfig(raw: unknown, ctx: ConfigContext): Readonly<KioskConfig> {
  const result = validator.validate(raw === undefined ? {} : raw);
  const issues = result.ok ? [] : [...result.issues];
  const ledgerPath = isObj(raw) ? raw['ledgerPath'] : undefined;
  const outside = typeof ledgerPath === 'string' && !issues.some((i) => i.path === 'ledgerPath') ? ledgerIssue(ledgerPath) : undefined;
  if (outside) issues.push(outside);
  if (!result.ok || issues.length > 0) throw new ConfigError(issues, 'config.json');
  const home = path.resolve(ctx.home);
  return Object.freeze({
    ...result.value,
    terminalId: result.value.terminalId ?? defaultTerminalId(ctx.hostname ?? os.hostname()),
    ledgerPath: path.resolve(home, result.value.ledgerPath),
  });
}

/** The ledger stays in the home: a relative path without ".." (symlinks are checked when it is opened). */
function ledgerIssue(value: string): ConfigIssue | undefined {
  const normal = path.posix.normalize(value.replace(/\\/g, '/'));
  if (path.isAbsolute(value) || normal === '.' || normal.split('/').includes('..')) {
    return { path: 'ledgerPath', value, message: 'must be a file path inside the kiosk home: relative, without ".."' };
  }
  return undefined;
}

/** The hostname, reduced to the characters a terminal id may hold. */
export function defaultTerminalId(hostname: string): string {
  const id = hostname.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
  return id.length > 0 ? id : 'kiosk';
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
