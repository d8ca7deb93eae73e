/**
 * Shared by the `kiosk provision` subcommands: the logger (warnings and up
 * on stderr, JSON), the home's config and ledger without loading its keys
 * (a command that repairs keys must not fail on them), the platform endpoint
 * from flags, the passphrase, and one way to report a refusal: the code and
 * message on stderr, and with --json also `{"ok":false,"code","message"}` on
 * stdout.
 */
import { readFileSync } from 'node:fs';
import { existsSync, statSync } from 'node:fs';
import { parseConfig, type KioskConfig } from '../../config.js';
import { HomeError, homePaths, readJson, type HomePaths } from '../../home.js';
import { createLogger, type Logger } from '../../logger.js';
import type { PlatformEndpoint, TlsPolicy } from '../../../protocol/exchange.js';
import { EXIT, printJson } from '../cli-util.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function cliLogger(): Logger {
  return createLogger({ level: process.env['KIOSK_LOG_LEVEL'] ?? 'warn' });
}

/** The home's paths and config; HOME_NOT_FOUND unless `create`. */
export function homeConfig(home: string): { paths: HomePaths; config: Readonly<KioskConfig> } {
  const paths = homePaths(home);
  if (!existsSync(paths.home) || !statSync(paths.home).isDirectory()) {
    throw new HomeError('HOME_NOT_FOUND', `kiosk home ${paths.home} does not exist; enroll first (kiosk provision enroll --home ${paths.home} …) or pass --home / KIOSK_HOME`);
  }
  return { paths, config: parseConfig(readJson(paths.config), { home: paths.home }) };
}

const PIN = /^sha256\/[A-Za-z0-9+/]{43}=$/;

/** The TLS policy from --tls-pin / --tls-ca (one at most); the system's CAs otherwise. */
export function tlsPolicy(pin: string | undefined, caFile: string | undefined): TlsPolicy {
  if (pin !== undefined && caFile !== undefined) throw new UsageError('--tls-pin and --tls-ca exclude each other');
  if (pin !== undefined) {
    if (!PIN.test(pin)) throw new UsageError(`--tls-pin must be sha256/<base64 of 32 bytes> (RFC 7469), not '${pin.slice(0, 60)}'`);
    return { mode: 'pin', pin };
  }
  if (caFile !== undefined) {
    let ca: string;
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (err) {
      throw new UsageError(`--tls-ca ${caFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new UsageError(`--tls-ca ${caFile}: not a PEM certificate`);
    return { mode: 'ca', ca };
  }
  return { mode: 'system' };
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** A base URL: https, or http on a loopback host; the TLS policy must fit it. */
export function endpointOf(url: string, tls: TlsPolicy): PlatformEndpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--url '${url.slice(0, 80)}' is not a URL`);
  }
  if (u.username || u.password || u.search || u.hash) throw new UsageError(`--url must be the service's base URL, without user, password, ?query or #fragment`);
  if (u.protocol === 'http:' && !LOOPBACK.test(u.hostname)) throw new UsageError(`--url ${u.origin}: must be https (http only on a loopback address)`);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--url ${url}: must be https`);
  if (u.protocol === 'http:' && tls.mode !== 'system') throw new UsageError(`--url ${u.origin} is plain http: a TLS ${tls.mode} cannot be enforced; use https`);
  return { url: u.href.replace(/\/+$/, ''), tls };
}

export const KID = /^[0-9a-f]{16}$/;

export function checkKid(flag: string, kid: string | undefined): string | undefined {
  if (kid !== undefined && !KID.test(kid)) throw new UsageError(`${flag} must be a key id: 16 lowercase hex digits, not '${kid.slice(0, 40)}'`);
  return kid;
}

/**
 * A failure of a provisioning command: `CODE: message` on stderr (and the
 * JSON object on stdout with --json). Usage errors exit 2, others 1.
 */
export function reportFailure(err: unknown, json: boolean, usage: string): number {
  const e = err as Error & { code?: unknown };
  if (err instanceof UsageError) {
    process.stderr.write(`kiosk provision: ${e.message}\n\n${usage}\n`);
    if (json) printJson({ ok: false, code: 'USAGE', message: e.message });
    return EXIT.usage;
  }
  if (typeof e?.code !== 'string') throw err;
  process.stderr.write(`kiosk provision: ${e.code}: ${e.message}\n`);
  if (json) printJson({ ok: false, code: e.code, message: e.message });
  return EXIT.failed;
}

/** The passphrase of a bundle: --passphrase-file, else $KIOSK_BUNDLE_PASSPHRASE, else asked on the terminal. */
export async function passphrase(file: string | undefined): Promise<string> {
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`--passphrase-file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    return text.replace(/\r?\n$/, '');
  }
  const env = process.env['KIOSK_BUNDLE_PASSPHRASE'];
  if (env !== undefined && env !== '') return env;
  if (!process.stdin.isTTY) throw new UsageError('no passphrase: give --passphrase-file FILE or KIOSK_BUNDLE_PASSPHRASE (or run on a terminal to be asked)');
  return promptHidden('bundle passphrase: ');
}

/**
 * Reads a line from the terminal without echoing it. Echo goes off before the
 * prompt shows: a passphrase typed the moment the prompt appears (or pasted)
 * must not reach the screen.
 */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  input.setRawMode(true);
  process.stderr.write(question);
  input.resume();
  let typed = '';
  return new Promise((resolve, reject) => {
    const done = (err?: Error): void => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(typed);
    };
    const onData = (chunk: Buffer): void => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003' || ch === '\u0004') return done(new UsageError('no passphrase given (interrupted)'));
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    input.on('data', onData);
  });
}
