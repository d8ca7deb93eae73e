/**
 * What the admin commands share: `--url URL` and the admin token from
 * `--token-file FILE` (default DIR/admin-token with `--data DIR`), JSON calls
 * to /v1/admin, and the exit codes of the CLI (0 ok, 1 refused or failed, 2
 * usage). A refusal prints the service's code and message.
 */
import path from 'node:path';
import type { Args, OptionSpecs } from './args.js';
import { CliError } from './cli-error.js';
import { ADMIN_TOKEN_FILE, readAdminToken } from './service/admin-token.js';

export const ADMIN_OPTIONS: OptionSpecs = {
  url: { type: 'string' },
  'token-file': { type: 'string' },
  data: { type: 'string' },
  json: { type: 'boolean' },
};

export const ADMIN_USAGE = `  --url URL                 the platform service (e.g. http://127.0.0.1:8080)
  --token-file FILE         the admin token (default DIR/admin-token with --data DIR)
  --json                    print JSON`;

/** The service said no (4xx/5xx) or could not be reached: exit 1 with its code and message. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface AdminClient {
  url: string;
  /** `timeoutMs`: how long to wait for the answer (default 60 s) */
  call<T = unknown>(method: string, route: string, body?: unknown, opts?: { timeoutMs?: number }): Promise<T>;
}

function baseUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new CliError('USAGE', `--url must be an http(s) URL, not '${raw}'`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new CliError('USAGE', `--url must be http or https, not '${u.protocol}'`);
  return u.toString().replace(/\/+$/, '');
}

function tokenFile(args: Args): string {
  const file = args.str('token-file');
  if (file !== undefined) return file;
  const data = args.str('data');
  if (data !== undefined) return path.join(data, ADMIN_TOKEN_FILE);
  throw new CliError('USAGE', 'missing --token-file FILE (or --data DIR for DIR/admin-token)');
}

export function adminClient(args: Args): AdminClient {
  const url = baseUrl(args.required('url'));
  const file = tokenFile(args);
  let token: string;
  try {
    token = readAdminToken(file);
  } catch (err) {
    throw new CliError('KEY_FILE', (err as Error).message, { cause: err });
  }
  return {
    url,
    async call<T>(method: string, route: string, body?: unknown, opts: { timeoutMs?: number } = {}): Promise<T> {
      let res: Response;
      try {
        res = await fetch(`${url}/v1/admin${route}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        throw new RefusedError('UNREACHABLE', `cannot reach ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
      }
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        throw new RefusedError('BAD_ANSWER', `${url} answered ${res.status} with something that is not JSON`, res.status);
      }
      if (!res.ok) {
        const e = (parsed ?? {}) as { code?: string; message?: string };
        throw new RefusedError(e.code ?? `HTTP_${res.status}`, e.message ?? `HTTP ${res.status}`, res.status);
      }
      return parsed as T;
    },
  };
}

/** Prints data as JSON (one line) or through `human`. */
export function output(args: Args, value: unknown, human: () => string): void {
  process.stdout.write((args.flag('json') ? JSON.stringify(value) : human()) + '\n');
}
