/**
 * The kiosk's client for one enrolled platform: every request signed with the
 * terminal key, every answer verified against the platform keys the kiosk
 * trusts before anything in it is believed (docs/protocol.md). An answer
 * whose signature is missing or does not verify is ignored and logged, and
 * the caller gets ANSWER_UNVERIFIED; a signed refusal is REFUSED with the
 * platform's code; a signed 2xx is checked against its schema.
 *
 * The clock offset: a signed STALE_REQUEST answer carries the platform's
 * clock in its signature's `created`; the client learns the offset from it
 * and sends the request once more with a corrected `created`. Only a signed
 * answer can move it (an unsigned "your clock is wrong" is ignored like any
 * other unsigned answer). The offset never touches the trusted time.
 */
import type { Logger } from '../../device/logger.js';
import { errorAnswer, type AnswerReader } from '../../protocol/answers.js';
import type { Exchange, ExchangeRequest, PlatformEndpoint, RawAnswer } from '../../protocol/exchange.js';
import { responseCreated, verifyResponse, type PublicKeyLookup, type TerminalSigningKey } from '../../protocol/http-signature.js';
import { TransportError } from './errors.js';
import { httpTransport, type HttpTransportOptions } from './http.js';

export interface PlatformClientOptions extends HttpTransportOptions {
  endpoint: PlatformEndpoint;
  /** the terminal key, read per request (a key store reload takes effect) */
  signer: () => TerminalSigningKey;
  /** the platform keys trusted now, read per request (a trust update applied in-process takes effect) */
  trusted: () => PublicKeyLookup;
  /** instead of HTTP(S) to the endpoint: tests, a fault proxy */
  exchange?: Exchange;
}

export interface VerifiedAnswer<T> {
  status: number;
  body: T;
  /** the platform kids whose signature verified */
  signedBy: string[];
  /** the platform's clock when it signed (its signature's `created`), Unix ms */
  signedAtMs: number | undefined;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export class PlatformClient {
  private readonly exchange: Exchange;
  private readonly closeTransport: () => Promise<void>;
  private readonly log: Logger;
  private offsetMs = 0;

  constructor(private readonly opts: PlatformClientOptions) {
    this.log = opts.logger.child({ module: 'platform-client' });
    if (opts.exchange) {
      this.exchange = opts.exchange;
      this.closeTransport = async () => {};
    } else {
      const http = httpTransport(opts.endpoint, opts);
      this.exchange = http.exchange;
      this.closeTransport = http.close;
    }
  }

  /** platform clock minus local clock, as learned from signed STALE_REQUEST answers (0 until then) */
  get clockOffsetMs(): number {
    return this.offsetMs;
  }

  /** A signed request; the verified answer, checked by `reader` (protocol/answers.ts), or a TransportError. */
  async call<T>(req: ExchangeRequest, reader: AnswerReader<T>, opts: CallOptions = {}): Promise<VerifiedAnswer<T>> {
    try {
      return await this.attempt(req, reader, opts);
    } catch (err) {
      if (!(err instanceof TransportError) || err.platformCode !== 'STALE_REQUEST') throw err;
      return this.attempt(req, reader, opts); // the offset was learned from the signed refusal
    }
  }

  close(): Promise<void> {
    return this.closeTransport();
  }

  private async attempt<T>(req: ExchangeRequest, reader: AnswerReader<T>, opts: CallOptions): Promise<VerifiedAnswer<T>> {
    const raw = await this.exchange(req, { signer: this.opts.signer(), clockOffsetMs: this.offsetMs, ...opts });
    const signedBy = this.verify(req, raw);
    const signedAtS = responseCreated(raw.headers, signedBy[0]!);
    const signedAtMs = signedAtS === undefined ? undefined : signedAtS * 1000;
    if (raw.status >= 200 && raw.status < 300) {
      const read = reader.read(raw.body);
      if (!read.ok) throw new TransportError('ANSWER_INVALID', `${req.method} ${req.path}: ${read.message}`, { status: raw.status, signedBy });
      return { status: raw.status, body: read.value, signedBy, signedAtMs };
    }
    const error = errorAnswer.read(raw.body);
    const platformCode = error.ok ? error.value.code : undefined;
    if (platformCode === 'STALE_REQUEST' && signedAtMs !== undefined) this.learnOffset(signedAtMs, raw);
    const message = error.ok ? error.value.message : `status ${raw.status}`;
    throw new TransportError('REFUSED', `${req.method} ${req.path}: ${raw.status} ${platformCode ?? 'unknown'}: ${message}`, { status: raw.status, signedBy, ...(platformCode ? { platformCode, platformMessage: message } : {}), ...(signedAtMs !== undefined ? { signedAtMs } : {}) });
  }

  /** The kids whose signature verified; an answer without one is ignored (logged, ANSWER_UNVERIFIED). */
  private verify(req: ExchangeRequest, raw: RawAnswer): string[] {
    const verdict = verifyResponse({ status: raw.status, headers: raw.headers, body: raw.body }, raw.requestSignature, this.opts.trusted());
    if (verdict.ok) {
      if (verdict.ignored.length > 0) this.log.debug({ path: req.path, ignored: verdict.ignored }, 'answer also carries signatures by untrusted keys');
      return verdict.signedBy;
    }
    this.log.warn({ method: req.method, path: req.path, status: raw.status, code: verdict.code, reason: verdict.message }, 'platform answer ignored: its signature does not verify with a trusted platform key');
    throw new TransportError('ANSWER_UNVERIFIED', `${req.method} ${req.path}: answer ${raw.status} ignored: ${verdict.code}: ${verdict.message}`, { status: raw.status });
  }

  private learnOffset(platformMs: number, raw: RawAnswer): void {
    // `created` is whole seconds: the middle of that second is the best estimate
    const offset = platformMs + 500 - raw.sentAt;
    this.log.warn({ offsetMs: offset, previousMs: this.offsetMs }, 'the platform refused a request as stale: signing with its clock from now on (set the system clock)');
    this.offsetMs = offset;
  }
}
