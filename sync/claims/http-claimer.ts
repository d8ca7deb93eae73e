/**
 * The real Claimer (device/claims/port.ts): POST /v1/terminal/claims to the
 * coupon's platform over the signed transport (sync/transport/), the answer
 * believed only when its platform signature verifies and it fits the
 * ClaimResponse schema. One long-lived PlatformClient per platform (its
 * keep-alive connection is what makes a claim a few milliseconds on a LAN),
 * made on first use from the enrolled platform as the key store has it now.
 *
 * Every failure is `no-answer` with the transport's code: the pipeline
 * decides what an unanswered claim means for the merchant's mode. The
 * deadline covers the whole call, the client's one retry after a signed
 * STALE_REQUEST included.
 */
import type { ClaimAnswer, ClaimInput, Claimer } from '../../device/claims/port.js';
import { errInfo } from '../../device/err-info.js';
import type { Logger } from '../../device/logger.js';
import type { EnrolledPlatform } from '../../provisioning/store/load.js';
import { claimAnswer } from '../../protocol/answers.js';
import { clientFor } from '../terminal-state.js';
import type { PlatformClient, PlatformClientOptions } from '../transport/client.js';
import { TransportError } from '../transport/errors.js';
import { loadUndici } from '../transport/tls.js';

export interface HttpClaimerOptions {
  /** the enrolled platforms as the key store has them now (read per claim: a reload takes effect) */
  platforms: () => readonly EnrolledPlatform[];
  logger: Logger;
  now?: () => number;
  /** under every client made here (tests: an exchange through a fault proxy) */
  transport?: Partial<PlatformClientOptions>;
  /** loads the HTTP client (default: undici, sync/transport/tls.ts) */
  preloadHttp?: () => Promise<unknown>;
}

interface Link {
  url: string;
  client: PlatformClient;
}

export class HttpClaimer implements Claimer {
  private readonly log: Logger;
  private readonly links = new Map<string, Link>();
  private readonly inFlight = new Set<AbortController>();

  constructor(private readonly opts: HttpClaimerOptions) {
    this.log = opts.logger.child({ module: 'claims' });
    // the HTTP client loads now, beside the rest of start-up, not inside the first claim's deadline
    if (opts.platforms().some((p) => p.record.url !== null)) (opts.preloadHttp ?? loadUndici)().catch(() => undefined);
  }

  async claim(input: ClaimInput, opts: { timeoutMs: number }): Promise<ClaimAnswer> {
    const link = this.link(input.platformId);
    if (!link) return { kind: 'no-answer', code: 'NO_LINK', message: `platform '${input.platformId}' is not enrolled with a service URL: nothing to claim with` };
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), opts.timeoutMs);
    this.inFlight.add(abort);
    const { platformId: _platform, ...body } = input;
    const started = performance.now();
    try {
      const answer = await link.client.call({ method: 'POST', path: '/v1/terminal/claims', body }, claimAnswer, { signal: abort.signal, timeoutMs: opts.timeoutMs });
      this.log.debug({ ctiHex: input.ctiHex, result: answer.body.result, ms: Math.round(performance.now() - started) }, 'claim answered');
      return { kind: 'answer', response: answer.body };
    } catch (err) {
      const timedOut = abort.signal.aborted && performance.now() - started >= opts.timeoutMs - 1;
      const code = timedOut ? 'TIMEOUT' : err instanceof TransportError ? err.code : 'FAILED';
      const message = timedOut ? `no answer from '${input.platformId}' within ${opts.timeoutMs} ms` : errInfo(err).message;
      this.log.warn({ ctiHex: input.ctiHex, platformId: input.platformId, code, message }, 'claim not answered');
      return { kind: 'no-answer', code, message };
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(abort);
    }
  }

  async close(): Promise<void> {
    for (const a of this.inFlight) a.abort();
    const links = [...this.links.values()];
    this.links.clear();
    await Promise.all(links.map((l) => l.client.close()));
  }

  /** The platform's client, made again when its URL changed (a new enrollment); undefined without a URL. */
  private link(platformId: string): Link | undefined {
    const current = (): EnrolledPlatform | undefined => this.opts.platforms().find((p) => p.platformId === platformId);
    const p = current();
    if (!p || p.record.url === null) return undefined;
    const known = this.links.get(platformId);
    if (known && known.url === p.record.url) return known;
    if (known) void known.client.close().catch(() => undefined);
    const client = clientFor(() => current() ?? p, { logger: this.opts.logger, ...(this.opts.now ? { now: this.opts.now } : {}), ...this.opts.transport });
    const link = { url: p.record.url, client };
    this.links.set(platformId, link);
    return link;
  }
}
