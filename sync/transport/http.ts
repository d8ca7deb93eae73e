/**
 * Signed HTTP(S) requests to one platform over undici (Node's own HTTP
 * client): the request signed with the terminal key (RFC 9421), the answer's
 * bytes read up to a limit, within a per-request timeout and the caller's
 * AbortSignal. Everything is asynchronous; nothing here blocks the event
 * loop. The answer comes back unverified (protocol/exchange.ts): client.ts
 * verifies it.
 */
import type { Agent, Dispatcher } from 'undici';
import type { Exchange, ExchangeOptions, ExchangeRequest, PlatformEndpoint, RawAnswer } from '../../protocol/exchange.js';
import { requestSignatureOf, signRequest } from '../../protocol/http-signature.js';
import type { Logger } from '../../device/logger.js';
import { PinMismatchError, TransportError } from './errors.js';
import { endpointProblem, loadUndici, platformAgent } from './tls.js';

export interface HttpTransportOptions {
  logger: Logger;
  /** Unix ms; the signature's `created` is taken from it */
  now?: () => number;
  /** a whole answer within this (default 10 s) */
  timeoutMs?: number;
  /** TCP + TLS connection set-up (default 5 s) */
  connectTimeoutMs?: number;
  /** larger answers are refused (default 4 MiB) */
  maxAnswerBytes?: number;
}

export interface HttpTransport {
  exchange: Exchange;
  /** closes the kept-alive connections */
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_ANSWER = 4 * 2 ** 20;
const TLS_CODES = /^(ERR_TLS_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_|CERT_|ERR_SSL_|HOSTNAME_MISMATCH)/;

export function httpTransport(endpoint: PlatformEndpoint, opts: HttpTransportOptions): HttpTransport {
  const problem = endpointProblem(endpoint);
  if (problem !== undefined) throw new TypeError(`platform endpoint: ${problem}`);
  const base = endpoint.url.replace(/\/+$/, '');
  // undici loads with the first request (its deadline covers the load; the claimer, whose deadline is short,
  // starts the load when it is made: sync/claims/http-claimer.ts); made on the first request, kept for the keep-alive connections; made again if making it failed
  let agent: Promise<Agent> | undefined;
  let closed = false;
  const dispatcher = (): Promise<Agent> => {
    if (closed) return Promise.reject(new TransportError('UNREACHABLE', `${base}: this transport was closed`));
    const made = (agent ??= platformAgent(endpoint.tls, opts.connectTimeoutMs ?? 5000));
    made.catch(() => {
      if (agent === made) agent = undefined;
    });
    return made;
  };
  const now = opts.now ?? Date.now;
  const log = opts.logger.child({ module: 'transport', platform: new URL(base).host });
  const exchange: Exchange = async (req, xopts) => {
    const started = now();
    const signed = signedRequest(req, xopts, started);
    const timeoutMs = xopts.timeoutMs ?? opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = xopts.signal ? AbortSignal.any([xopts.signal, timeout]) : timeout;
    const url = base + signed.target;
    try {
      const [{ request }, via] = await Promise.all([loadUndici(), dispatcher()]);
      signal.throwIfAborted(); // the deadline covers loading the client too
      const res = await request(url, { method: req.method, headers: signed.headers, ...(signed.body ? { body: signed.body } : {}), dispatcher: via, signal });
      const body = await readLimited(res.body, opts.maxAnswerBytes ?? DEFAULT_MAX_ANSWER, url);
      log.debug({ method: req.method, path: req.path, status: res.statusCode, ms: now() - started }, 'platform answered');
      return { status: res.statusCode, headers: res.headers as RawAnswer['headers'], body, requestSignature: signed.requestSignature, sentAt: started };
    } catch (err) {
      throw transportError(err, { url, timeoutMs, aborted: xopts.signal?.aborted === true, timedOut: timeout.aborted });
    }
  };
  const close = async (): Promise<void> => {
    closed = true;
    const made = agent;
    agent = undefined;
    if (made !== undefined) await (await made.catch(() => undefined))?.close();
  };
  return { exchange, close };
}

/** The target (path and query), the headers and the body of a signed request. */
function signedRequest(req: ExchangeRequest, xopts: ExchangeOptions, nowMs: number) {
  const query = req.query ? new URLSearchParams(Object.entries(req.query)).toString() : '';
  const target = query === '' ? req.path : `${req.path}?${query}`;
  const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body), 'utf8');
  const headers: Record<string, string> = { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) };
  const created = Math.floor((nowMs + (xopts.clockOffsetMs ?? 0)) / 1000);
  const sig = signRequest({ method: req.method, path: req.path, query, headers, body }, xopts.signer, { created });
  const all = { ...headers, ...sig };
  return { target, headers: all, body, requestSignature: requestSignatureOf(all)! };
}

async function readLimited(body: Dispatcher.ResponseData['body'], max: number, url: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > max) {
      body.destroy();
      throw new TransportError('ANSWER_TOO_LARGE', `${url}: the answer is over ${max} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function transportError(err: unknown, ctx: { url: string; timeoutMs: number; aborted: boolean; timedOut: boolean }): TransportError {
  if (err instanceof TransportError) return err;
  const e = err as Error & { code?: string; cause?: Error & { code?: string } };
  const pin = e instanceof PinMismatchError ? e : e.cause instanceof PinMismatchError ? e.cause : undefined;
  if (pin) return new TransportError('TLS_PIN_MISMATCH', `${ctx.url}: refused: ${pin.message}; nothing was sent`, {}, { cause: err });
  if (ctx.aborted) return new TransportError('ABORTED', `${ctx.url}: aborted`, {}, { cause: err });
  if (ctx.timedOut || e.code === 'UND_ERR_CONNECT_TIMEOUT') return new TransportError('TIMEOUT', `${ctx.url}: no answer within ${ctx.timeoutMs} ms`, {}, { cause: err });
  const code = e.cause?.code ?? e.code ?? '';
  const detail = e.cause?.message ?? e.message;
  if (TLS_CODES.test(code)) return new TransportError('TLS_FAILED', `${ctx.url}: TLS: ${detail} (${code})`, {}, { cause: err });
  return new TransportError('UNREACHABLE', `${ctx.url}: ${detail}${code ? ` (${code})` : ''}`, {}, { cause: err });
}
