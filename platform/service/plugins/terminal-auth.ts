/**
 * Terminal authentication (docs/protocol.md): every request in the scope must
 * carry an RFC 9421 signature by an enrolled terminal key. In order: the
 * signature and digest verify, `created` is within the window, the terminal
 * is enabled, and the nonce was never used by this terminal (a primary key
 * in the database, so every service process agrees). Every answer of the
 * scope, errors included, is signed by the platform's valid keys once the
 * request's own signature parsed (`signAnswers`).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requestKeyId, signResponse, splitTarget, verifyRequest, type HttpRequestParts } from '../../../protocol/http-signature.js';
import type { Terminal } from '../../store/store.js';
import { HttpError } from '../errors.js';
import { COSE_ALG, privateKeyOf, publicKeyFromRaw } from '../keys.js';
import type { App, ServiceDeps } from '../types.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** the authenticated terminal (terminal routes only) */
    terminal?: Terminal;
    /** the request's `kiosk` signature value, once parsed: answers are bound to it */
    requestSignature?: Uint8Array;
  }
}

/** Slack past the window before a nonce may be forgotten: a request with that `created` is refused as stale by then. */
const NONCE_SLACK_S = 60;

export function requestParts(req: FastifyRequest): HttpRequestParts {
  const { path, query } = splitTarget(req.url);
  return { method: req.method, path, query, headers: req.headers, body: req.rawBody };
}

async function authenticate(req: FastifyRequest, deps: ServiceDeps): Promise<void> {
  const kid = requestKeyId(req.headers);
  const terminal = kid === undefined ? undefined : await deps.store.terminalBySignKid(kid);
  const nowS = Math.floor(deps.now() / 1000);
  const verdict = verifyRequest(
    requestParts(req),
    (k) => (terminal && k === terminal.signKid ? { publicKey: publicKeyFromRaw('Ed25519', terminal.signPublic) } : undefined),
    { nowS, maxSkewS: deps.config.signatureWindowS },
  );
  if (verdict.signatureValue) req.requestSignature = verdict.signatureValue;
  if (!verdict.ok) throw new HttpError(verdict.code, verdict.message);
  if (!terminal) throw new HttpError('UNKNOWN_TERMINAL', `keyid ${verdict.kid} is not an enrolled terminal`);
  if (!terminal.enabled) throw new HttpError('TERMINAL_DISABLED', `terminal ${terminal.terminalId} was disabled on ${terminal.disabledAt?.toISOString() ?? 'the platform'}: delete its merchant keys`);
  await deps.store.useNonce(terminal.terminalId, verdict.nonce, new Date((verdict.created + deps.config.signatureWindowS + NONCE_SLACK_S) * 1000));
  req.terminal = terminal;
}

/** Authenticates every request of this scope before its body is validated (an unauthenticated caller learns nothing of the schema). */
export function requireTerminal(app: App, deps: ServiceDeps): void {
  app.addHook('preValidation', async (req: FastifyRequest) => authenticate(req, deps));
}

/** Signs every answer of this scope whose request carried a parsable signature. */
export function signAnswers(app: App, deps: ServiceDeps): void {
  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (!req.requestSignature) return payload;
    const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.isBuffer(payload) ? payload : Buffer.alloc(0);
    if (reply.getHeader('content-type') === undefined) reply.header('content-type', 'application/json; charset=utf-8');
    const keys = await deps.store.validSigningKeys();
    const signers = keys.map((k) => ({ kid: k.kid, alg: COSE_ALG[k.alg], privateKey: privateKeyOf(k) }));
    const headers = signResponse(
      { status: reply.statusCode, headers: { 'content-type': String(reply.getHeader('content-type')) }, body },
      req.requestSignature,
      signers,
      { created: Math.floor(deps.now() / 1000) },
    );
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    return body;
  });
}
