/**
 * The trusted-time floor (COUPON-FORMAT.md §6, clock note): a kiosk without a
 * battery-backed clock can boot in the past, so it keeps the highest signed
 * time it has seen and treats a system clock behind it as wrong.
 *
 * A floor that is too high is as harmful as a clock that is too low: every
 * genuine coupon is then EXPIRED, and the screen tells the operator to fix a
 * clock that is right. So, in this one place:
 * - only times this kiosk has reason to believe raise it: the iat of a coupon
 *   it ACCEPTED (signed, for this merchant, unused), later a signed platform
 *   time from the sync worker; never a coupon it refused;
 * - never past that coupon's own validity (exp - 1): the floor never passes a
 *   moment at which a coupon this kiosk accepted was still valid;
 * - never more than MAX_AHEAD_S past the system clock while that clock is
 *   plausible (not before CLOCK_EPOCH_S, not more than MAX_AHEAD_S behind the
 *   floor). Only a clock already known to be wrong (an RTC-less board that
 *   booted in 1970) lets a signed time move the floor further, because then
 *   signed times are the only time the kiosk has;
 * - a technician can set it back (`kiosk clock reset`), recorded in the ledger.
 */
import type { Clock } from '../drivers/clock/port.js';
import type { Ledger } from './ledger/types.js';
import type { Logger } from './logger.js';

/** How far a signed time may take the floor past a plausible system clock. */
export const MAX_AHEAD_S = 600;
/** Before this software existed: a system clock earlier than this is certainly wrong. */
export const CLOCK_EPOCH_S = Date.UTC(2026, 0, 1) / 1000;

/** The system clock deserves trust: after the epoch, and not far behind the floor. */
export function clockPlausible(systemS: number, floorS: number): boolean {
  return systemS >= CLOCK_EPOCH_S && systemS + MAX_AHEAD_S >= floorS;
}

/**
 * The value a raise to `t` may set the floor to (Unix s), given the system
 * clock and the current floor; at most `notAfter`. Not above the floor: no raise.
 */
export function boundRaise(t: number, opts: { systemS: number; floorS: number; notAfter?: number }): number {
  const { systemS, floorS } = opts;
  const ceiling = clockPlausible(systemS, floorS) ? systemS + MAX_AHEAD_S : Number.POSITIVE_INFINITY;
  return Math.floor(Math.min(t, opts.notAfter ?? Number.POSITIVE_INFINITY, ceiling));
}

/** The raise an ACCEPTED coupon asks for (its iat, inside its validity), bounded; undefined when the floor stays. */
export function couponRaise(claims: { iat: number; exp: number; iss: string }, systemS: number, floorS: number, log?: Logger): { t: number; source: string } | undefined {
  const t = boundRaise(claims.iat, { systemS, floorS, notAfter: claims.exp - 1 });
  if (t < claims.iat) {
    log?.warn(
      { iat: claims.iat, exp: claims.exp, system: systemS, raisedTo: t, platform: claims.iss },
      'coupon issued ahead of this kiosk\'s clock (platform clock fast?): trusted time raised only as far as the clock allows',
    );
  }
  return t > floorS ? { t, source: `coupon-iat:${claims.iss}` } : undefined;
}

/**
 * Raise the floor from a signed time source, bounded as above: the entry point
 * for other sources (the sync worker's signed platform time). Returns the floor after.
 */
export function raiseTrustedTime(deps: { ledger: Ledger; clock: Clock }, t: number, source: string, notAfter?: number): number {
  const floorS = deps.ledger.trustedTime();
  const bounded = boundRaise(t, { systemS: Math.floor(deps.clock.now() / 1000), floorS, ...(notAfter !== undefined ? { notAfter } : {}) });
  return bounded > floorS ? deps.ledger.raiseTrustedTime(bounded, source) : floorS;
}
