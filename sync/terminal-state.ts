/**
 * One pull of a platform's terminal state (`GET /v1/terminal/state`), signed
 * with the terminal key and verified against the platform keys the kiosk
 * trusts, then applied to the key store (provisioning/apply-state.ts). Used
 * by `kiosk provision refresh` and, per platform and period, by the sync
 * worker. Only a signed 403 TERMINAL_DISABLED disables: an unsigned one is
 * ignored like any unverified answer.
 */
import type { Logger } from '../device/logger.js';
import { terminalStateAnswer } from '../protocol/answers.js';
import type { ConflictNotice } from '../protocol/api.js';
import { applyState, type StateApplied } from '../provisioning/apply-state.js';
import { lookupValid } from '../provisioning/platform-documents.js';
import type { EnrolledPlatform } from '../provisioning/store/load.js';
import { PlatformClient, type PlatformClientOptions } from './transport/client.js';
import { TransportError } from './transport/errors.js';

export type PullResult =
  | { platformId: string; ok: true; applied: StateApplied; conflicts?: ConflictPage }
  | { platformId: string; ok: false; code: string; message: string };

/** The conflict notices of a state answer asked with `conflictsAfter`. */
export interface ConflictPage {
  items: ConflictNotice[];
  cursor: number;
  more: boolean;
}

export interface PullOptions {
  home: string;
  platform: EnrolledPlatform;
  logger: Logger;
  now?: () => number;
  /** raises the trusted-time floor with the signed platform time */
  raiseTime?: ((tS: number, source: string) => number) | undefined;
  /** a long-lived client (the sync worker's); else one is made and closed for this pull */
  client?: PlatformClient;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** ask for the conflicts this terminal is part of after this cursor (the sync worker) */
  conflictsAfter?: number;
  /** the transport under a client made here (tests: a fault proxy) */
  transport?: Partial<PlatformClientOptions>;
}

/** A client for one enrolled platform; `current` is read per request (a reloaded store takes effect). */
export function clientFor(current: () => EnrolledPlatform, opts: { logger: Logger; now?: () => number } & Partial<PlatformClientOptions>): PlatformClient {
  const p = current();
  if (p.record.url === null) throw new TypeError(`platform '${p.platformId}' has no URL`);
  const now = opts.now ?? Date.now;
  return new PlatformClient({
    ...opts,
    endpoint: { url: p.record.url, tls: p.record.tls },
    signer: () => ({ kid: current().terminalKey.kid, privateKey: current().terminalKey.privateKey }),
    trusted: () => lookupValid(current().trust.keys, now()),
    now,
  });
}

export async function pullState(opts: PullOptions): Promise<PullResult> {
  const { platform } = opts;
  const platformId = platform.platformId;
  if (platform.record.url === null) {
    return { platformId, ok: false, code: 'NO_URL', message: `platform '${platformId}' was imported from a bundle without --url: it has no service to refresh from` };
  }
  const client = opts.client ?? clientFor(() => platform, { logger: opts.logger, ...(opts.now ? { now: opts.now } : {}), ...opts.transport });
  const ctx = { home: opts.home, platformId, logger: opts.logger, raiseTime: opts.raiseTime, ...(opts.now ? { now: opts.now } : {}) };
  try {
    const held = platform.merchantKeys.map((k) => k.kidHex).slice(0, 32).join(',');
    const query = {
      trustSeq: String(platform.trust.seq),
      ...(held ? { merchantKids: held } : {}),
      ...(opts.conflictsAfter !== undefined ? { conflictsAfter: String(opts.conflictsAfter) } : {}),
    };
    const answer = await client.call({ method: 'GET', path: '/v1/terminal/state', query }, terminalStateAnswer, { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
    const applied = await applyState(ctx, { kind: 'state', state: answer.body });
    const b = answer.body;
    const conflicts = b.conflicts === undefined ? undefined : { items: b.conflicts, cursor: b.conflictsCursor ?? opts.conflictsAfter ?? 0, more: b.conflictsMore === true };
    return { platformId, ok: true, applied, ...(conflicts ? { conflicts } : {}) };
  } catch (err) {
    if (err instanceof TransportError && err.code === 'REFUSED' && err.platformCode === 'TERMINAL_DISABLED') {
      const applied = await applyState(ctx, { kind: 'disabled', message: err.details.platformMessage ?? err.message, signedAtMs: err.details.signedAtMs });
      return { platformId, ok: true, applied };
    }
    const e = err as Error & { code?: string };
    return { platformId, ok: false, code: e.code ?? 'FAILED', message: e.message };
  } finally {
    if (!opts.client) await client.close();
  }
}
