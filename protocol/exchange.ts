/**
 * One signed request to the platform and its raw answer: the port between
 * the code that decides what to send and what to believe (enrollment in
 * provisioning/, the sync worker) and the code that moves the bytes
 * (sync/transport/). Types only, plus the TLS policy a kiosk stores for each
 * platform at enrollment and enforces on every later request.
 *
 * An Exchange signs the request with the given terminal key (RFC 9421,
 * http-signature.ts) and hands the answer back unverified: what the answer
 * must be verified with is the caller's business (at enrollment the platform
 * keys arrive in the answer itself). It rejects with an Error carrying a
 * `code` (the transport's list) when no answer came: unreachable, timed out,
 * aborted, a TLS failure or a pin that does not match.
 */
import type { HeaderMap, TerminalSigningKey } from './http-signature.js';

export interface ExchangeRequest {
  method: 'GET' | 'POST';
  /** the path under the base URL, with the version: `/v1/enroll`, `/v1/terminal/state` */
  path: string;
  /** query parameters, sent in this order, percent-encoded by the transport */
  query?: Readonly<Record<string, string>>;
  /** a JSON body (sent as application/json) */
  body?: unknown;
}

export interface ExchangeOptions {
  /** the key that signs this request */
  signer: TerminalSigningKey;
  /** added to the local clock for the signature's `created` (learned from a signed STALE_REQUEST) */
  clockOffsetMs?: number;
  signal?: AbortSignal;
  /** overrides the transport's per-request timeout */
  timeoutMs?: number;
}

export interface RawAnswer {
  status: number;
  headers: HeaderMap;
  body: Uint8Array;
  /** the request's `kiosk` signature: the answer's signatures must cover it (verifyResponse) */
  requestSignature: Uint8Array;
  /** the local clock when the request was signed, Unix ms */
  sentAt: number;
}

export type Exchange = (req: ExchangeRequest, opts: ExchangeOptions) => Promise<RawAnswer>;

/**
 * How the kiosk authenticates the platform's TLS server, chosen at enrollment:
 * the system's CAs; a CA (or the server's own certificate) given by the
 * technician; or the RFC 7469 pin of the server's key from the setup code,
 * which alone decides (a self-signed certificate passes when its key's pin
 * matches). Plain http carries none (loopback tests only).
 */
export type TlsPolicy =
  | { mode: 'system' }
  /** PEM: one or more CA certificates, or the server's own certificate */
  | { mode: 'ca'; ca: string }
  /** `sha256/<base64>` of the server certificate's SubjectPublicKeyInfo */
  | { mode: 'pin'; pin: string };

export interface PlatformEndpoint {
  /** the service's base URL: https, or http on a loopback host */
  url: string;
  tls: TlsPolicy;
}
