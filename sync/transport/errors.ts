/**
 * Why a request to the platform gave the caller nothing to act on. Every
 * failure of the transport is one of these codes; the message names the
 * URL, the status or the platform's own code, never key material.
 */
export const TRANSPORT_CODES = [
  /** no connection: refused, reset, DNS, closed before an answer */
  'UNREACHABLE',
  /** no whole answer within the per-request timeout */
  'TIMEOUT',
  /** the caller's AbortSignal fired */
  'ABORTED',
  /** the TLS handshake failed: certificate not trusted, wrong host name */
  'TLS_FAILED',
  /** the server's key is not the one pinned at enrollment: nothing was sent */
  'TLS_PIN_MISMATCH',
  /** the answer's signature is missing or does not verify with a trusted platform key: ignored */
  'ANSWER_UNVERIFIED',
  /** a signed answer that is not what the protocol says (schema, not JSON) */
  'ANSWER_INVALID',
  /** the answer is larger than the limit */
  'ANSWER_TOO_LARGE',
  /** a signed refusal by the platform: `status` and `platformCode` say which */
  'REFUSED',
] as const;
export type TransportCode = (typeof TRANSPORT_CODES)[number];

export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly code: TransportCode,
    message: string,
    readonly details: { status?: number; platformCode?: string; platformMessage?: string; signedBy?: readonly string[]; signedAtMs?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** the HTTP status of the answer, when there was one */
  get status(): number | undefined {
    return this.details.status;
  }

  /** the platform's own error code (docs/platform.md), for a signed refusal */
  get platformCode(): string | undefined {
    return this.details.platformCode;
  }
}

/** A pin mismatch raised inside the TLS connector, recognised again after undici wraps it. */
export class PinMismatchError extends Error {
  override readonly name = 'PinMismatchError';
  readonly code = 'TLS_PIN_MISMATCH';
}
