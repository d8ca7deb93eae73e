/**
 * What the pipeline answers for one scan. A verdict carries a reason code from
 * the one list (coupon/reasons.ts); a fault is a separate kind, so that no code
 * path can mistake "the ledger failed" for any redemption answer, least of all
 * ACCEPTED.
 */
import type { Claims } from '../coupon/types.js';
import type { Reason } from '../coupon/reasons.js';
import type { FaultCode } from '../drivers/display/screen.js';

/** Reasons a kiosk verdict can carry (VALID is the format layer's word; the kiosk says ACCEPTED). */
export type VerdictReason = Exclude<Reason, 'VALID'>;

interface Common {
  message: string;
  serial?: string;
  claims?: Claims;
  /** effective time of the answer, Unix ms (max of system clock and trusted floor) */
  at: number;
  /** ms from line received to the answer */
  latencyMs: number;
  /** the system clock is behind the trusted time floor */
  clockWarning: boolean;
  /** hex SHA-256 of the scanned text (the text itself is never kept) */
  textHash: string;
}

export interface RedeemVerdict extends Common {
  kind: 'verdict';
  reason: VerdictReason;
  /** ALREADY_REDEEMED: when (Unix ms) and where the first redemption was */
  redeemedAt?: number;
  redeemedBy?: string;
  /** ALREADY_REDEEMED from an online claim: the branch of the terminal that has it */
  redeemedBranch?: string;
  /** ACCEPTED: accepted without an online claim (offline mode, or online-preferred without an answer) */
  offline?: boolean;
  /** a short code for the screen's detail line (PLATFORM_REFUSED's code, the offline limit hit) */
  detail?: string;
}

export interface FaultVerdict extends Common {
  kind: 'fault';
  fault: Extract<FaultCode, 'DISK_FULL' | 'LEDGER_ERROR'>;
  /** the LedgerError code (or 'UNEXPECTED') */
  code: string;
}

export type Verdict = RedeemVerdict | FaultVerdict;

/**
 * The JSON event `kiosk start --json` and `kiosk redeem` print, one per scan.
 * A fault answer is also event "verdict" (one line per scan, always) but with
 * reason null and a `fault` code: a script testing reason === "ACCEPTED" can
 * never count an unrecorded redemption.
 */
export function verdictEvent(v: Verdict): Record<string, unknown> {
  const base = {
    serial: v.serial ?? null,
    message: v.message,
    at: new Date(v.at).toISOString(),
    latencyMs: round(v.latencyMs),
    clockWarning: v.clockWarning,
  };
  if (v.kind === 'fault') return { event: 'verdict', reason: null, fault: v.fault, code: v.code, ...base };
  const event: Record<string, unknown> = { event: 'verdict', reason: v.reason, ...base };
  if (v.claims) Object.assign(event, { platform: v.claims.iss, product: v.claims.product, quantity: v.claims.quantity });
  if (v.redeemedAt !== undefined) event['redeemedAt'] = new Date(v.redeemedAt).toISOString();
  if (v.redeemedBy !== undefined) event['redeemedBy'] = v.redeemedBy;
  if (v.redeemedBranch !== undefined) event['redeemedBranch'] = v.redeemedBranch;
  if (v.offline !== undefined) event['offline'] = v.offline;
  if (v.detail !== undefined) event['detail'] = v.detail;
  return event;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
