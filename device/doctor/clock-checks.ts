/**
 * Clock: a kiosk without a battery-backed clock can boot in the past. The
 * ledger keeps the highest trusted time seen (the iat of coupons it accepted,
 * bounded: device/trusted-time.ts); a system clock far behind it is wrong, and
 * a trusted time far ahead of a right clock is wrong too.
 */
import { MAX_AHEAD_S, clockPlausible } from '../trusted-time.js';
import { fail, ok, warn, type CheckResult, type DoctorContext, type LedgerInspection } from './types.js';

export function checkTrustedTime(ctx: DoctorContext, ledger: LedgerInspection): CheckResult {
  if (ledger.state === 'none') return ok('clock.trusted', `no ledger yet at ${ledger.path}`);
  if (ledger.state === 'unavailable') return warn('clock.trusted', `cannot read the trusted time: the ledger is unavailable (${ledger.code})`, 'see the ledger check');
  const trusted = ledger.trustedTime;
  if (trusted === 0) return ok('clock.trusted', 'no trusted time recorded yet');
  const now = Math.floor(ctx.env.now() / 1000);
  const iso = (s: number): string => new Date(s * 1000).toISOString();
  if (!clockPlausible(now, trusted)) {
    return fail(
      'clock.trusted',
      `system clock ${iso(now)} is behind the ledger's trusted time ${iso(trusted)}`,
      [
        'set the clock (timedatectl set-time "YYYY-MM-DD HH:MM:SS", or let NTP sync); until then coupons are judged against the trusted time',
        `if the system clock is right, the trusted time is wrong: kiosk clock reset --home ${ctx.home} --yes (it is logged)`,
      ].join('\n'),
    );
  }
  if (now < trusted) {
    return warn('clock.trusted', `the trusted time ${iso(trusted)} is ${trusted - now} s ahead of the system clock (at most ${MAX_AHEAD_S} s: a platform's clock is fast)`, 'nothing to do unless it grows; check NTP');
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
