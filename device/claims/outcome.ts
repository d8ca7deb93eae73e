/**
 * What a claim's answer means for one scan, as a pure function of the
 * answer, the merchant's policy and the offline backlog: the pipeline
 * (device/pipeline.ts) then records, refuses or releases. The table is
 * docs/protocol.md "Claims"; an answer never turns into ACCEPTED without a
 * ledger commit, and no answer never does in online-required.
 */
import type { ClaimAnswer } from './port.js';
import { offlineAllowed, type ClaimPolicy, type OfflineBacklog } from './policy.js';
import type { ClaimReason } from '../../coupon/reasons.js';
import type { ClaimState } from '../ledger/types.js';

/** How a redemption came to be accepted (the ledger's `offline` and `claim` columns). */
export interface ClaimMarks {
  offline: boolean;
  claim: Exclude<ClaimState, 'released'>;
}

export const OFFLINE_MARKS: ClaimMarks = { offline: true, claim: 'none' };

export type ClaimAction =
  /** commit to the ledger with these marks; ACCEPTED once committed (ALREADY_REDEEMED if the ledger had it) */
  | { do: 'record'; marks: ClaimMarks; note: string }
  /** another terminal has it: ALREADY_REDEEMED naming that branch, terminal and scan time */
  | { do: 'elsewhere'; at: number; terminalId: string; branchId: string; message: string }
  /** refunded or cancelled: REVOKED, and the coupon goes on the local revocation list */
  | { do: 'revoked'; revokedAt: number; message: string }
  /**
   * Not accepted. `release`: the claim got no answer and may still have
   * landed, so the ledger keeps a released scan whose reverse entry frees the
   * coupon on the platform (docs/protocol.md "Claims").
   */
  | { do: 'refuse'; reason: ClaimReason; message: string; detail: string; release: boolean };

export function claimAction(answer: ClaimAnswer, policy: ClaimPolicy, ctx: { platformId: string; quantity: number; nowMs: number; backlog: () => OfflineBacklog }): ClaimAction {
  if (answer.kind === 'no-answer') return unanswered(answer, policy, ctx);
  const r = answer.response;
  switch (r.result) {
    case 'claimed':
      return { do: 'record', marks: { offline: false, claim: 'claimed' }, note: r.repeated ? 'claimed again (this terminal held it already)' : 'claimed' };
    case 'already-redeemed': {
      const f = r.first;
      return { do: 'elsewhere', at: f.scannedAt, terminalId: f.terminalId, branchId: f.branchId, message: `already redeemed at branch ${f.branchId} (terminal ${f.terminalId}) at ${new Date(f.scannedAt).toISOString()}` };
    }
    case 'revoked':
      return { do: 'revoked', revokedAt: r.revokedAt, message: `refunded / revoked on ${ctx.platformId} at ${new Date(r.revokedAt).toISOString()}` };
    case 'unknown':
      return { do: 'refuse', reason: 'PLATFORM_REFUSED', message: `${ctx.platformId} did not issue this coupon to this merchant`, detail: 'UNKNOWN_COUPON', release: false };
    case 'refused':
      return { do: 'refuse', reason: 'PLATFORM_REFUSED', message: `${ctx.platformId} refused the claim: ${r.code}: ${r.message}`, detail: r.code, release: false };
  }
}

function unanswered(answer: Extract<ClaimAnswer, { kind: 'no-answer' }>, policy: ClaimPolicy, ctx: { platformId: string; quantity: number; nowMs: number; backlog: () => OfflineBacklog }): ClaimAction {
  const why = `${ctx.platformId} did not answer the claim (${answer.code}: ${answer.message})`;
  if (policy.mode === 'online-required') {
    return { do: 'refuse', reason: 'OFFLINE_CANNOT_REDEEM', message: `offline: cannot redeem: ${why}; the merchant requires an online claim`, detail: answer.code, release: true };
  }
  const check = offlineAllowed(policy, ctx.backlog(), ctx.quantity, ctx.nowMs);
  if (check.ok) return { do: 'record', marks: { offline: true, claim: 'unanswered' }, note: `accepted offline: ${why}` };
  return { do: 'refuse', reason: 'OFFLINE_LIMIT_REACHED', message: `offline limit reached: ${check.message} (${why})`, detail: LIMIT_DETAIL[check.limit](policy), release: true };
}

/** Short enough for the panel's detail line. */
const LIMIT_DETAIL = {
  count: (p: ClaimPolicy) => `max ${p.offlineMaxCount} offline`,
  age: (p: ClaimPolicy) => `oldest > ${duration(p.offlineMaxAgeS)}`,
  quantity: (p: ClaimPolicy) => `max qty ${p.offlineMaxQuantity}`,
} as const;

function duration(s: number): string {
  if (s >= 3600) return `${Math.round(s / 3600)} h`;
  if (s >= 60) return `${Math.round(s / 60)} min`;
  return `${s} s`;
}
