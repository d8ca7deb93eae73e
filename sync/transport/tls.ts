/**
 * The undici dispatcher that enforces a platform's TLS policy
 * (protocol/exchange.ts) on every connection: the system's CAs, a CA given at
 * enrollment, or the SPKI pin from the setup code. A pinned connection is
 * checked right after the handshake, before undici writes a byte of the
 * request: a server with another key gets nothing but the handshake. TLS
 * sessions are not resumed under a pin, so every connection shows its
 * certificate again.
 */
import type { TLSSocket } from 'node:tls';
import type { Agent, buildConnector as BuildConnector } from 'undici';
import type { PlatformEndpoint, TlsPolicy } from '../../protocol/exchange.js';
import { spkiPin } from '../../protocol/spki-pin.js';
import { PinMismatchError } from './errors.js';

const PIN = /^sha256\/[A-Za-z0-9+/]{43}=$/;
const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/;

/** What is wrong with an endpoint (URL scheme against its TLS policy), or undefined. */
export function endpointProblem(endpoint: PlatformEndpoint): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint.url);
  } catch {
    return `'${endpoint.url.slice(0, 80)}' is not a URL`;
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return `'${url.origin}…': a base URL, without user, password, ?query or #fragment`;
  if (url.protocol === 'http:') {
    if (!LOOPBACK.test(url.hostname)) return `'${url.origin}' must be https (http only on a loopback address)`;
    if (endpoint.tls.mode !== 'system') return `'${url.origin}' is plain http: a TLS ${endpoint.tls.mode} cannot be enforced`;
    return undefined;
  }
  if (url.protocol !== 'https:') return `'${url.protocol}' is not https`;
  if (endpoint.tls.mode === 'pin' && !PIN.test(endpoint.tls.pin)) return `TLS pin '${endpoint.tls.pin.slice(0, 60)}' is not sha256/<base64 of 32 bytes>`;
  if (endpoint.tls.mode === 'ca' && !endpoint.tls.ca.includes('-----BEGIN CERTIFICATE-----')) return 'the TLS CA is not a PEM certificate';
  return undefined;
}

type Undici = typeof import('undici');
let undici: Promise<Undici> | undefined;

/**
 * undici, loaded on the first request: its ~110 files are a third of a kiosk
 * command's start-up (`kiosk status`, `kiosk redeem` with no online claims)
 * and most commands never talk to a platform.
 */
export const loadUndici = (): Promise<Undici> => (undici ??= import('undici'));

/** A dispatcher for one platform; close it when done (it holds keep-alive sockets). */
export async function platformAgent(tls: TlsPolicy, connectTimeoutMs: number): Promise<Agent> {
  const { Agent, buildConnector } = await loadUndici();
  const common = { timeout: connectTimeoutMs };
  if (tls.mode === 'system') return new Agent({ connect: common });
  if (tls.mode === 'ca') return new Agent({ connect: { ...common, ca: tls.ca } });
  const base = buildConnector({ ...common, rejectUnauthorized: false, maxCachedSessions: 0 });
  const pinned: BuildConnector.connector = (opts, callback) => {
    base(opts, (err, socket) => {
      if (err !== null) return callback(err, null);
      const problem = pinProblem(socket as TLSSocket, tls.pin);
      if (problem === undefined) return callback(null, socket);
      socket.destroy();
      callback(new PinMismatchError(`${opts.hostname}:${opts.port}: ${problem}`), null);
    });
  };
  return new Agent({ connect: pinned });
}

function pinProblem(socket: TLSSocket, pin: string): string | undefined {
  const cert = typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate() : undefined;
  if (cert === undefined) return 'the server showed no certificate';
  const actual = spkiPin(cert.raw);
  return actual === pin ? undefined : `the server's key has pin ${actual}, not the pinned ${pin}`;
}
