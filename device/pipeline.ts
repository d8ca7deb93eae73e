/**
 * The redemption pipeline: one scanned text in, one verdict out, synchronously
 * (verify + one SQLite transaction; nothing to await, nothing to interleave).
 *
 * Order (COUPON-FORMAT.md §6): format checks with the EFFECTIVE now (the higher
 * of the system clock and the trusted time floor) → revocation → ledger.
 * ACCEPTED is only returned after ledger.redeem() committed. Any ledger failure
 * becomes a fault, never a redemption answer.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { toHex, verifyCoupon } from '../coupon/index.js';
import type { Claims, VerifiedCoupon, VerifyResult } from '../coupon/types.js';
import type { Clock } from '../drivers/clock/port.js';
import type { KeySource } from './keyring-holder.js';
import { LedgerError, type Ledger, type RedeemOutcome } from './ledger/types.js';
import { errInfo } from './err-info.js';
import type { Logger } from './logger.js';
import { clockPlausible, couponRaise } from './trusted-time.js';
import type { FaultVerdict, RedeemVerdict, Verdict } from './verdict.js';

export interface RedeemerDeps {
  /** read once per scan: a new keyring (trust update, new merchant key) applies from the next scan */
  keys: KeySource;
  ledger: Ledger;
  clock: Clock;
  logger: Logger;
  terminalId: string;
}

interface Scan {
  text: string;
  textHash: string;
  startedAt: number;
  nowMs: number;
  clockWarning: boolean;
  /** the trusted floor read at the start, Unix s */
  floorS: number;
  /** the system clock at the start, Unix ms */
  systemMs: number;
}

export class Redeemer {
  private readonly log: Logger;
  private clockWarned = false;

  constructor(private readonly deps: RedeemerDeps) {
    this.log = deps.logger.child({ module: 'pipeline' });
  }

  /** NO_KEYS when the keyring cannot redeem anything: no platform or no merchant key. */
  hasKeys(): boolean {
    const { keyring } = this.deps.keys;
    return keyring.platforms.length > 0 && keyring.merchantKeys.length > 0;
  }

  /** Compare the system clock with the trusted floor now (start-up, status). Throws LedgerError. */
  clockState(): { warning: boolean; systemMs: number; trustedMs: number } {
    const systemMs = this.deps.clock.now();
    const trustedMs = this.deps.ledger.trustedTime() * 1000;
    const warning = clockWrong(systemMs, trustedMs);
    if (warning !== this.clockWarned) this.noteClock(warning, systemMs, trustedMs);
    return { warning, systemMs, trustedMs };
  }

  /** The whole pipeline for one scan; the verdict is final when this returns. */
  redeem(text: string, receivedAt = performance.now()): Verdict {
    const { verdict, finish } = this.decide(text, receivedAt);
    finish();
    return verdict;
  }

  /**
   * The verdict (ledger commit included), plus the bookkeeping that may run
   * after it is on screen: the scan log and the trusted-time floor. Each is a
   * write with its own fsync; neither changes the verdict, so the cashier does
   * not wait for them. A crash in between loses at most one scan-log line.
   * @param receivedAt performance.now() when the line arrived (for latency)
   */
  decide(text: string, receivedAt = performance.now()): { verdict: Verdict; finish: () => void } {
    const textHash = createHash('sha256').update(text, 'utf8').digest('hex');
    let scan: Scan | undefined;
    let verdict: Verdict;
    try {
      scan = this.begin(text, textHash, receivedAt);
      verdict = this.check(scan);
    } catch (err) {
      const systemMs = this.deps.clock.now();
      verdict = this.fault(err, scan ?? { text, textHash, startedAt: receivedAt, nowMs: systemMs, clockWarning: false, floorS: 0, systemMs });
    }
    const raise = verdict.kind === 'verdict' && verdict.reason === 'ACCEPTED' && verdict.claims && scan
      ? couponRaise(verdict.claims, Math.floor(scan.systemMs / 1000), scan.floorS, this.log)
      : undefined;
    const finish = (): void => this.audit(verdict, raise);
    return { verdict, finish };
  }

  /** The effective now: a system clock behind the trusted floor is wrong, so the floor wins. */
  private begin(text: string, textHash: string, startedAt: number): Scan {
    const systemMs = this.deps.clock.now();
    const floorS = this.deps.ledger.trustedTime();
    const floorMs = floorS * 1000;
    const clockWarning = clockWrong(systemMs, floorMs);
    if (clockWarning !== this.clockWarned) this.noteClock(clockWarning, systemMs, floorMs);
    return { text, textHash, startedAt, nowMs: Math.max(systemMs, floorMs), clockWarning, floorS, systemMs };
  }

  private check(scan: Scan): Verdict {
    const result = verifyCoupon(scan.text, this.deps.keys.keyring, Math.floor(scan.nowMs / 1000));
    let verdict: Verdict;
    if (!result.ok) verdict = this.verdict(scan, result.reason, result.message, result);
    else if (this.deps.ledger.isRevoked(result.claims.iss, ctiHex(result.claims))) {
      verdict = this.verdict(scan, 'REVOKED', `serial ${result.serial} was refunded / revoked by ${result.claims.iss}`, result);
    } else verdict = this.record(scan, result);
    return verdict;
  }

  private record(scan: Scan, coupon: VerifiedCoupon): RedeemVerdict {
    const c = coupon.claims;
    const outcome: RedeemOutcome = this.deps.ledger.redeem({
      platformId: c.iss,
      ctiHex: ctiHex(c),
      serial: coupon.serial,
      product: c.product,
      quantity: c.quantity,
      ...(c.title !== undefined ? { title: c.title } : {}),
      merchantId: c.aud,
      consumer: c.sub,
      iat: c.iat,
      exp: c.exp,
      at: scan.nowMs,
      terminalId: this.deps.terminalId,
      textHash: scan.textHash,
    });
    if (outcome.ok) return this.verdict(scan, 'ACCEPTED', `accepted: ${c.quantity} × ${c.title ?? c.product}`, coupon);
    const first = outcome.first;
    const v = this.verdict(scan, 'ALREADY_REDEEMED', `already redeemed at ${new Date(first.at).toISOString()} by terminal ${first.terminalId}`, coupon);
    return { ...v, redeemedAt: first.at, redeemedBy: first.terminalId };
  }

  private verdict(scan: Scan, reason: RedeemVerdict['reason'], message: string, result: Pick<VerifyResult, 'claims' | 'serial'>): RedeemVerdict {
    const v: RedeemVerdict = { kind: 'verdict', reason, message, ...common(scan) };
    if (result.serial !== undefined) v.serial = result.serial;
    if (result.claims !== undefined) v.claims = result.claims;
    return v;
  }

  private fault(err: unknown, scan: Scan): FaultVerdict {
    const { fault, code } = ledgerFault(err);
    this.log.error({ err: errInfo(err), fault, code }, 'ledger fault: scan not redeemed');
    const message = `ledger fault ${code}: nothing was redeemed (${(err as Error)?.message ?? String(err)})`;
    return { kind: 'fault', fault, code, message, ...common(scan) };
  }

  /**
   * Every attempt goes to the scan log: time, reason, serial if known, hash of
   * the text. In the same transaction, an ACCEPTED coupon's iat raises the
   * trusted floor, bounded (device/trusted-time.ts); a refused coupon never
   * does, nor does the system clock. A failure here leaves the verdict
   * standing (a redemption, if any, is committed); the next scan faults if the
   * ledger is gone.
   */
  private audit(v: Verdict, raise: { t: number; source: string } | undefined): void {
    const reason = v.kind === 'fault' ? `FAULT:${v.code}` : v.reason;
    const fields = { reason, serial: v.serial, textHash: v.textHash, latencyMs: v.latencyMs };
    this.log.info(fields, 'scan');
    if (v.kind === 'fault') return; // the ledger just failed; the log line above is the record
    try {
      this.deps.ledger.logScan({
        at: v.at,
        reason,
        textHash: v.textHash,
        latencyMs: v.latencyMs,
        ...(v.claims ? { platformId: v.claims.iss, ctiHex: ctiHex(v.claims) } : {}),
        ...(v.serial !== undefined ? { serial: v.serial } : {}),
      }, raise);
    } catch (err) {
      this.log.error({ err: errInfo(err), reason, serial: v.serial }, 'could not write the scan log');
    }
  }

  private noteClock(warning: boolean, systemMs: number, floorMs: number): void {
    this.clockWarned = warning;
    const fields = { system: new Date(systemMs).toISOString(), trusted: new Date(floorMs).toISOString() };
    if (warning) this.log.warn(fields, 'system clock is behind the trusted time (or before this software existed); using the trusted time');
    else this.log.info(fields, 'system clock is plausible again');
  }
}

/**
 * The clock warning (CLOCK_UNTRUSTED) is for a clock that is wrong, not for a
 * floor a fast platform clock set a few minutes ahead of a right one: the same
 * rule that bounds the floor (device/trusted-time.ts).
 */
function clockWrong(systemMs: number, floorMs: number): boolean {
  return !clockPlausible(Math.floor(systemMs / 1000), Math.floor(floorMs / 1000));
}

function common(scan: Scan): Pick<Verdict, 'at' | 'latencyMs' | 'clockWarning' | 'textHash'> {
  return { at: scan.nowMs, latencyMs: performance.now() - scan.startedAt, clockWarning: scan.clockWarning, textHash: scan.textHash };
}

/** Which screen fault a ledger failure is: a full disk is DISK_FULL (free space), anything else LEDGER_ERROR. */
export function ledgerFault(err: unknown): { fault: FaultVerdict['fault']; code: string } {
  const code = err instanceof LedgerError ? err.code : 'UNEXPECTED';
  return { fault: code === 'LEDGER_DISK_FULL' ? 'DISK_FULL' : 'LEDGER_ERROR', code };
}

export function ctiHex(claims: Claims): string {
  return toHex(claims.cti);
}
