/**
 * Thin layer over node:util parseArgs: every parse problem and every missing
 * or malformed value becomes a CliError (exit 2) whose message names the flag.
 */
import { parseArgs } from 'node:util';
import { CliError } from './cli-error.js';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export class Args {
  constructor(
    private readonly values: Record<string, unknown>,
    readonly positionals: string[],
  ) {}

  has(name: string): boolean {
    return this.values[name] !== undefined;
  }

  str(name: string): string | undefined {
    const v = this.values[name];
    return typeof v === 'string' ? v : undefined;
  }

  required(name: string): string {
    const v = this.str(name);
    if (v === undefined || v === '') throw new CliError('USAGE', `missing --${name}`);
    return v;
  }

  flag(name: string): boolean {
    return this.values[name] === true;
  }

  /** An integer flag within [min, max]; `fallback` when absent. */
  int(name: string, min: number, max: number, fallback?: number): number | undefined {
    const v = this.str(name);
    if (v === undefined) return fallback;
    if (!/^-?\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      throw new CliError('USAGE', `--${name} must be an integer from ${min} to ${max}, not '${v}'`);
    }
    return Number(v);
  }
}

/** Parse argv; `undefined` means `--help` was asked for and the usage has been printed. */
export function parseCommand(argv: string[], options: OptionSpecs, usage: string, positionals = false): Args | undefined {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: positionals, strict: true });
  } catch (err) {
    throw new CliError('USAGE', `${(err as Error).message}\n${usage}`, { cause: err });
  }
  if (parsed.values['help'] === true) {
    process.stdout.write(usage + '\n');
    return undefined;
  }
  return new Args(parsed.values as Record<string, unknown>, parsed.positionals);
}
