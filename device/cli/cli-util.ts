/**
 * Shared bits of the `kiosk` commands: option parsing with `--help`, and the
 * exit statuses. Commands write results to stdout and problems to stderr.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parse argv; returns undefined after printing help (--help) or a usage error. `exitCode` tells which. */
export function parseCommand(
  argv: string[],
  usage: string,
  options: Options,
  allowPositionals = false,
): { parsed?: Parsed; exitCode: number } {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals, strict: true }) as Parsed;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${usage}\n`);
    return { exitCode: EXIT.usage };
  }
  if (parsed.values['help']) {
    process.stdout.write(usage + '\n');
    return { exitCode: EXIT.ok };
  }
  return { parsed, exitCode: EXIT.ok };
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A required string option; prints the usage and returns undefined when missing. */
export function required(p: Parsed, names: string[], usage: string): Record<string, string> | undefined {
  const missing = names.filter((n) => str(p, n) === undefined);
  if (missing.length > 0) {
    process.stderr.write(`missing ${missing.map((m) => '--' + m).join(', ')}\n\n${usage}\n`);
    return undefined;
  }
  return Object.fromEntries(names.map((n) => [n, str(p, n) as string]));
}

/** A positive integer option, or the default. */
export function intOption(p: Parsed, name: string, def: number): number {
  const v = str(p, name);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

export function printJson(obj: unknown): void {
  process.stdout.write(JSON.stringify(obj) + '\n');
}
