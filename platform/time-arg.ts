/**
 * Times on the command line: Unix seconds (`1767225600`), an offset from now
 * (`+86400`, `-60`), or an ISO 8601 date (`2026-12-31T23:59:59Z`).
 */
import { CliError } from './cli-error.js';

export function parseTime(value: string | number, nowSeconds: number, name: string): number {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value)) return value;
    throw new CliError('USAGE', `${name} must be whole Unix seconds, not ${value}`);
  }
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  if (/^[+-]\d+$/.test(v)) return nowSeconds + Number(v);
  // a bare number-like date (e.g. "2026") is taken as seconds above, so only real dates reach here
  const ms = /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) throw new CliError('USAGE', `${name} must be Unix seconds, +SECONDS or an ISO date, not '${value}'`);
  return Math.floor(ms / 1000);
}
