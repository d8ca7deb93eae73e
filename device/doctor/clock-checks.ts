/**
 * Clock: a kiosk without a battery-backed clock can boot in the past. The
 * ledger keeps the highest trusted time seen (signed iat of verified coupons,
 * COUPON-FORMAT.md clock note); a system clock behind it is wrong.
 */
import { fail, ok, warn, type CheckResult, type DoctorContext } from './types.js';

/** a little slack: the trusted time comes from other machines' clocks */
export const CLOCK_SLACK_S = 120;

export async function checkTrustedTime(ctx: DoctorContext): Promise<CheckResult> {
  const ledger = ctx.config!.ledgerPath;
  let trusted: number | undefined;
  try {
    trusted = await ctx.env.trustedTime(ledger);
  } catch (err) {
    return warn('clock.trusted', `cannot read the trusted time from ${ledger}: ${(err as Error).message}`, 'check the ledger: kiosk ledger --help');
  }
  if (trusted === undefined) return ok('clock.trusted', `no ledger yet at ${ledger}`);
  if (trusted === 0) return ok('clock.trusted', 'no trusted time recorded yet');
  const now = Math.floor(ctx.env.now() / 1000);
  const iso = (s: number): string => new Date(s * 1000).toISOString();
  if (now + CLOCK_SLACK_S < trusted) {
    return fail(
      'clock.trusted',
      `system clock ${iso(now)} is behind the ledger's trusted time ${iso(trusted)}`,
      `set the clock (timedatectl set-time "YYYY-MM-DD HH:MM:SS", or let NTP sync); until then coupons are judged against the trusted time`,
    );
  }
  return ok('clock.trusted', `system clock ${iso(now)} is not behind the trusted time ${iso(trusted)}`);
}

export async function checkNtp(ctx: DoctorContext): Promise<CheckResult> {
  const r = await ctx.env.run('timedatectl', ['show', '-p', 'NTPSynchronized', '--value']);
  if (!r || r.code !== 0) return warn('clock.ntp', 'NTP state unknown (timedatectl not available)', 'on a systemd system: timedatectl set-ntp true');
  const v = r.stdout.trim();
  if (v === 'yes') return ok('clock.ntp', 'NTP synchronized');
  return warn('clock.ntp', 'NTP not synchronized (expected while offline)', 'when online: timedatectl set-ntp true; an RTC module keeps time across power cuts');
}
