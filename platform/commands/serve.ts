/**
 * `coupon-platform serve`: the platform service. Prints one JSON line
 * `{"event":"listening","url":…}` on stdout once it accepts requests; logs
 * JSON on stderr. SIGTERM/SIGINT: stop accepting, finish in-flight requests,
 * close the database, exit 0.
 */
import { parseCommand } from '../args.js';
import { CliError } from '../cli-error.js';
import { serviceLogger } from '../service/logger.js';
import { startService } from '../service/server.js';

export const summary = 'run the platform service (PGlite in --data DIR, or PostgreSQL with --database URL)';

const USAGE = `usage: coupon-platform serve --data DIR [--database URL] [--listen HOST:PORT] [--platform-id ID]
         [--tls-cert FILE --tls-key FILE] [--signing-key ed25519|rsa]

  --data DIR            the data directory (0700): admin-token, and PGlite's files when no --database
  --database URL        postgres://… (default: $DATABASE_URL, else PGlite in DIR/pgdata)
  --listen HOST:PORT    default 127.0.0.1:8080; port 0 picks a free port
  --platform-id ID      names the platform on the first start of a database (default: random); kept after
  --tls-cert/--tls-key  serve HTTPS with this certificate (PEM) and key
  --signing-key KIND    the first signing key's kind (default ed25519)`;

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function parseListen(value: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new CliError('USAGE', `--listen must be HOST:PORT (e.g. 127.0.0.1:8080, [::1]:0), not '${value}'`);
  return { host: m[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

export async function run(argv: string[]): Promise<number> {
  const options = {
    data: { type: 'string' }, database: { type: 'string' }, listen: { type: 'string' }, 'platform-id': { type: 'string' },
    'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, 'signing-key': { type: 'string' },
  } as const;
  const args = parseCommand(argv, options, USAGE);
  if (!args) return 0;
  const { host, port } = parseListen(args.str('listen') ?? '127.0.0.1:8080');
  const platformId = args.str('platform-id');
  if (platformId !== undefined && !ID.test(platformId)) throw new CliError('USAGE', `--platform-id must be 1-64 letters, digits, '.', '_' or '-', not '${platformId}'`);
  const kind = args.str('signing-key') ?? 'ed25519';
  if (kind !== 'ed25519' && kind !== 'rsa') throw new CliError('USAGE', `--signing-key must be ed25519 or rsa, not '${kind}'`);
  const cert = args.str('tls-cert');
  const key = args.str('tls-key');
  if ((cert === undefined) !== (key === undefined)) throw new CliError('USAGE', '--tls-cert and --tls-key go together');
  const databaseUrl = args.str('database') ?? process.env['DATABASE_URL'];
  const logger = serviceLogger();
  const service = await startService({
    dataDir: args.required('data'), host, port, logger, config: { signingKeyKind: kind },
    ...(databaseUrl ? { databaseUrl } : {}), ...(platformId ? { platformId } : {}), ...(cert && key ? { tls: { certFile: cert, keyFile: key } } : {}),
  });
  process.stdout.write(JSON.stringify({ event: 'listening', url: service.url }) + '\n');
  let code = 0;
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping: finishing requests in flight');
      service.stop().then(resolve, (err: unknown) => {
        logger.error({ err }, 'stop failed');
        code = 1;
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  logger.info('stopped');
  return code;
}
