/** How a scan row is judged: the verdict event's reason, serial and, for a used coupon, where and when. */
import type { Event } from './processes.js';

export interface Expectation {
  reason: string;
  /** the serial the verdict must name (coupons the kiosk can decrypt) */
  serial?: string;
  /** ACCEPTED in online-preferred with the platform up: claimed online, not accepted offline */
  claimedOnline?: boolean;
  /** ALREADY_REDEEMED: the first redemption, as this kiosk must report it */
  first?: { at: string; by?: readonly string[] };
  /** what the table says is expected */
  text: string;
}

/** Clock readings of two kiosks on one machine, and the platform's copy of a scan time, agree this closely. */
const SAME_MOMENT_MS = 5_000;

/** One line for the table: the reason and what the kiosk said about it. */
export function describeVerdict(e: Event): string {
  if (e['reason'] === null) return `fault ${String(e['fault'])} (${String(e['code'])})`;
  const parts = [String(e['reason'])];
  if (e['serial']) parts.push(String(e['serial']));
  if (e['offline'] !== undefined) parts.push(e['offline'] === false ? 'claimed online' : 'accepted offline');
  if (e['redeemedBy'] !== undefined) parts.push(`by ${String(e['redeemedBy'])}${e['redeemedBranch'] !== undefined ? ` (branch ${String(e['redeemedBranch'])})` : ''}`);
  if (e['redeemedAt'] !== undefined) parts.push(`at ${String(e['redeemedAt'])}`);
  if (e['message'] && e['reason'] !== 'ACCEPTED') parts.push(`"${String(e['message'])}"`);
  return parts.join(', ');
}

/** undefined when the verdict matches; else what differs. */
export function mismatch(e: Event, want: Expectation): string | undefined {
  if (e['reason'] !== want.reason) return `reason ${String(e['reason'])}, not ${want.reason}`;
  if (want.serial !== undefined && e['serial'] !== want.serial) return `serial ${String(e['serial'])}, not ${want.serial}`;
  if (want.claimedOnline && e['offline'] !== false) return `not claimed online (offline: ${String(e['offline'] ?? 'not said')})`;
  if (!want.first) return undefined;
  const at = typeof e['redeemedAt'] === 'string' ? Date.parse(e['redeemedAt']) : NaN;
  if (Number.isNaN(at)) return 'no redeemedAt: when was it used?';
  if (Math.abs(at - Date.parse(want.first.at)) > SAME_MOMENT_MS) return `redeemedAt ${String(e['redeemedAt'])}, not the first use at ${want.first.at}`;
  const by = want.first.by;
  const where = `${String(e['redeemedBy'] ?? '')} ${String(e['redeemedBranch'] ?? '')}`;
  if (by && !by.some((b) => where.includes(b))) return `redeemedBy ${String(e['redeemedBy'] ?? 'missing')}, not ${by.join(' / ')}`;
  return undefined;
}
