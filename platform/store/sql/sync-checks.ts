/**
 * The checks a claim or an outbox record passes before it may touch the
 * redemptions table: pure functions of the record, the coupon as issued and
 * the platform's time. The coupon is immutable and a revocation only matters
 * for scans after it, so reading them before the insert is no
 * check-then-insert race; who wins a coupon is left to the constraints.
 */
import type { CouponFacts, Redemption, RefusalCode, SyncRecord } from '../store.js';

/** protocol/sync.ts SCAN_TIME_MAX_SKEW_MS: the only slack the platform gives a kiosk's clock. */
export const MAX_SKEW_MS = 300_000;

export interface IssuedCoupon {
  ctiHex: string;
  product: string;
  quantity: number;
  consumer: string;
  iat: Date;
  revokedAt: Date | null;
}

export type Rejection = { outcome: 'unknown' } | { outcome: 'revoked'; revokedAt: Date } | { outcome: 'refused'; code: RefusalCode; message: string };

export const refused = (code: RefusalCode, message: string): Rejection => ({ outcome: 'refused', code, message });

const iso = (d: Date): string => d.toISOString();
/** A kiosk's text in a message, cut short: messages are logged and shown, never a dump. */
const quote = (v: string): string => JSON.stringify(v.length > 64 ? `${v.slice(0, 64)}…` : v);

function mismatch(r: CouponFacts, c: IssuedCoupon): string | undefined {
  const diffs: string[] = [];
  if (r.product !== c.product) diffs.push(`product ${quote(r.product)} (issued ${quote(c.product)})`);
  if (r.quantity !== c.quantity) diffs.push(`quantity ${r.quantity} (issued ${c.quantity})`);
  if (r.consumer !== c.consumer) diffs.push(`consumer ${quote(r.consumer)} (issued ${quote(c.consumer)})`);
  return diffs.length === 0 ? undefined : diffs.join(', ');
}

/** A kiosk time the platform can believe: not ahead of its clock by more than the skew. */
function future(what: string, at: Date, now: Date): Rejection | undefined {
  if (at.getTime() <= now.getTime() + MAX_SKEW_MS) return undefined;
  return refused('SCAN_IN_FUTURE', `${what} ${iso(at)} is ${Math.round((at.getTime() - now.getTime()) / 1000)} s ahead of the platform's clock (${iso(now)}; at most ${MAX_SKEW_MS / 1000} s): fix the kiosk's clock`);
}

/**
 * What every record and claim must pass: a coupon this merchant issued, the
 * same facts, a believable scan time. `revokedWhen`: 'any' for a claim (it
 * happens now), 'after-revocation' for an upload (a scan before the refund
 * was a valid redemption), 'never' for a reversal (undoing is always allowed).
 */
export function checkFacts(r: CouponFacts, c: IssuedCoupon | undefined, now: Date, revokedWhen: 'any' | 'after-revocation' | 'never'): Rejection | undefined {
  if (!c) return { outcome: 'unknown' };
  const diff = mismatch(r, c);
  if (diff) return refused('COUPON_MISMATCH', `coupon ${r.ctiHex}: ${diff}`);
  const ahead = future('scannedAt', r.scannedAt, now);
  if (ahead) return ahead;
  if (r.scannedAt.getTime() < c.iat.getTime() - MAX_SKEW_MS) {
    return refused('SCAN_BEFORE_ISSUE', `scannedAt ${iso(r.scannedAt)} is before the coupon was issued (${iso(c.iat)}): the kiosk's clock was behind`);
  }
  if (c.revokedAt !== null && (revokedWhen === 'any' || (revokedWhen === 'after-revocation' && c.revokedAt <= r.scannedAt))) {
    return { outcome: 'revoked', revokedAt: c.revokedAt };
  }
  return undefined;
}

/** A reversal's own times: after the scan it undoes, not in the future, within the window on the kiosk's one clock. */
export function checkReversalTimes(r: Extract<SyncRecord, { kind: 'reverse' }>, now: Date, windowS: number): Rejection | undefined {
  if (r.reversedAt < r.scannedAt) return refused('REVERSAL_BEFORE_SCAN', `reversedAt ${iso(r.reversedAt)} is before scannedAt ${iso(r.scannedAt)}`);
  const ahead = future('reversedAt', r.reversedAt, now);
  if (ahead) return ahead;
  if (windowS === 0) return refused('REVERSAL_WINDOW_PASSED', 'reversals are off for this merchant (reversal window 0 s)');
  const after = r.reversedAt.getTime() - r.scannedAt.getTime();
  if (after > windowS * 1000) return refused('REVERSAL_WINDOW_PASSED', `reversed ${Math.round(after / 1000)} s after the scan; the merchant's reversal window is ${windowS} s`);
  return undefined;
}

/**
 * The reversal of a redemption the platform already holds: the kiosk's clock
 * says nothing about how long the platform (and every other branch) has
 * relied on it, so that part of the window runs on the platform's clock.
 */
export function checkReversalTarget(r: Extract<SyncRecord, { kind: 'reverse' }>, target: Redemption, now: Date, windowS: number): Rejection | undefined {
  if (r.reversedAt < target.scannedAt) return refused('REVERSAL_BEFORE_SCAN', `reversedAt ${iso(r.reversedAt)} is before the redemption's scan (${iso(target.scannedAt)})`);
  const held = now.getTime() - target.receivedAt.getTime();
  if (held > windowS * 1000) {
    return refused('REVERSAL_WINDOW_PASSED', `the platform received this redemption ${Math.round(held / 1000)} s ago (${iso(target.receivedAt)}); the merchant's reversal window is ${windowS} s`);
  }
  return undefined;
}

export function elsewhere(r: CouponFacts, live: Redemption): Rejection {
  return refused('REDEEMED_ELSEWHERE', `coupon ${r.ctiHex} is redeemed by terminal ${live.terminalId} (branch ${live.branchId}, scanned ${iso(live.scannedAt)}), not by this terminal: only the terminal that redeemed it may reverse it`);
}
