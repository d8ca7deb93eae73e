/**
 * The kiosk configuration (config.json in the kiosk home): one TypeBox schema
 * per section, composed below, validated once at start-up with every problem
 * reported at once (protocol/validate.ts), then defaults filled in, deeply
 * frozen and passed around.
 *
 * To add a section (`sync`, `usb`): define its schema with its defaults next
 * to the code that uses it, and add it to CONFIG_SECTIONS. A missing section
 * is all defaults, so each section schema has `default: {}`.
 */
import os from 'node:os';
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { HARDWARE_SECTIONS } from '../drivers/config.js';
import { ClaimsSchema } from './config-claims.js';
import { UsbSchema } from './config-usb.js';
import { SyncSchema } from './config-sync.js';
import { compileSchema, formatIssue, type ValidationIssue } from '../protocol/validate.js';

export type ConfigIssue = ValidationIssue;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly issues: readonly ConfigIssue[], source = 'config') {
    super(`${source}: ${issues.length} problem(s):\n` + issues.map((i) => `  - ${formatIssue(i)}`).join('\n'));
    this.name = 'ConfigError';
  }
}

/** The top-level settings that belong to no section. */
const CORE = {
  /** names this terminal in the ledger and in ALREADY_REDEEMED answers; default: the host name */
  terminalId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$', expected: '1-64 of A-Z a-z 0-9 . _ -' })),
  language: Type.Enum(['zh', 'en'], { default: 'zh' }),
  /** relative to the home, and inside it (device/ledger-home.ts refuses symlinks out of it) */
  ledgerPath: Type.String({ pattern: '\\S', expected: 'a path inside the kiosk home', default: 'ledger.sqlite' }),
  /** how long a verdict stays on screen before the idle screen returns */
  verdictScreenMs: Type.Integer({ minimum: 200, maximum: 600_000, default: 3000 }),
};

/** Every section of config.json, by key. */
export const CONFIG_SECTIONS = { ...HARDWARE_SECTIONS, usb: UsbSchema, sync: SyncSchema, claims: ClaimsSchema } as const;

export const KioskConfigSchema = Type.Object({ ...CORE, ...CONFIG_SECTIONS }, { additionalProperties: false });

type RawConfig = Static<typeof KioskConfigSchema>;

export interface KioskConfig extends Omit<RawConfig, 'terminalId'> {
  terminalId: string;
  /** absolute path of the ledger database (config value is relative to the home) */
  ledgerPath: string;
}

export interface ConfigContext {
  home: string;
  hostname?: string;
}

const validator = compileSchema(KioskConfigSchema);

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
