/**
 * The claim policy of one platform's merchant, as pure functions: which mode,
 * how long to wait, and whether an unanswered claim may be accepted offline
 * (online-preferred's store-and-forward limits, like a payment terminal's
 * floor limits). No I/O: the backlog and `now` are inputs.
 *
 * Where the numbers come from: the merchant's settings (set on the platform,
 * delivered at enrollment and in state answers: protocol/api.ts SyncSettings)
 * and config.json's `claims` section. The merchant decides the mode and the
 * timeout (config's timeout applies when the merchant named none); for the
 * offline limits the stricter of the two applies: the merchant carries the
 * risk of offline redemption, and a technician may only narrow it.
 */
import type { ClaimMode, SyncSettings } from '../../protocol/api.js';
import type { ClaimsConfig } from '../config-claims.js';

export interface ClaimPolicy {
  mode: ClaimMode;
  timeoutMs: number;
  offlineMaxCount: number;
  offlineMaxAgeS: number;
  offlineMaxQuantity: number;
}

/** Unsent offline redemptions of one platform (the ledger's SyncLedger.offlineBacklog). */
export interface OfflineBacklog {
  count: number;
  /** scan time of the oldest, Unix ms; null when there is none */
  oldestAt: number | null;
}

export type OfflineLimit = 'count' | 'age' | 'quantity';

export type OfflineCheck = { ok: true } | { ok: false; limit: OfflineLimit; message: string };

const MODES: readonly ClaimMode[] = ['offline', 'online-preferred', 'online-required'];

/**
 * The policy for a platform from the merchant's settings as stored (an
 * enrollment record's `sync`, not trusted to be well-formed) and the config.
 * No settings, or no mode in them (a platform imported from PEM files, which
 * has no service to ask): offline. A mode this software does not know fails
 * closed: online-required, so nothing is accepted that the merchant may have
 * meant to be claimed first.
 */
export function claimPolicy(merchant: Readonly<Record<string, unknown>> | undefined, config: ClaimsConfig): ClaimPolicy {
  const m = (merchant ?? {}) as Partial<Record<keyof SyncSettings, unknown>>;
  const mode: ClaimMode = m.claimMode === undefined ? 'offline' : MODES.includes(m.claimMode as ClaimMode) ? (m.claimMode as ClaimMode) : 'online-required';
  return {
    mode,
    timeoutMs: count(m.claimTimeoutMs, 100) ?? config.timeoutMs,
    offlineMaxCount: stricter(m.offlineMaxCount, config.offlineMaxCount),
    offlineMaxAgeS: stricter(m.offlineMaxAgeS, config.offlineMaxAgeS),
    offlineMaxQuantity: stricter(m.offlineMaxQuantity, config.offlineMaxQuantity),
  };
}

/**
 * May a claim that got no answer be accepted offline? Only in
 * online-preferred, and only while every limit holds after this one:
 * fewer than `offlineMaxCount` unsent, the oldest unsent not older than
 * `offlineMaxAgeS`, this coupon's quantity at most `offlineMaxQuantity`.
 */
export function offlineAllowed(policy: ClaimPolicy, backlog: OfflineBacklog, quantity: number, nowMs: number): OfflineCheck {
  if (policy.mode !== 'online-preferred') return { ok: false, limit: 'count', message: `claim mode ${policy.mode} never accepts offline` };
  if (quantity > policy.offlineMaxQuantity) {
    return { ok: false, limit: 'quantity', message: `quantity ${quantity} is above the offline limit of ${policy.offlineMaxQuantity}` };
  }
  if (backlog.count >= policy.offlineMaxCount) {
    return { ok: false, limit: 'count', message: `${backlog.count} offline redemption(s) not yet uploaded: the limit is ${policy.offlineMaxCount}` };
  }
  if (backlog.oldestAt !== null && nowMs - backlog.oldestAt > policy.offlineMaxAgeS * 1000) {
    const ageS = Math.floor((nowMs - backlog.oldestAt) / 1000);
    return { ok: false, limit: 'age', message: `the oldest offline redemption not yet uploaded is ${ageS} s old: the limit is ${policy.offlineMaxAgeS} s` };
  }
  return { ok: true };
}

function count(v: unknown, min = 0): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v >= min ? v : undefined;
}

function stricter(merchant: unknown, config: number): number {
  const m = count(merchant);
  return m === undefined ? config : Math.min(m, config);
}
