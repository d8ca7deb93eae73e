/**
 * The redemption pipeline: one scanned text in, one verdict out. In the
 * merchant's `offline` claim mode synchronously (verify + one SQLite
 * transaction; nothing to await, nothing to interleave); in the online modes
 * the coupon is claimed on its platform first (device/claims/: a Claimer
 * awaited, never blocking the event loop), and the verdict is a promise.
 *
 * Order (COUPON-FORMAT.md §6): format checks with the EFFECTIVE now (the higher
 * of the system clock and the trusted time floor) → revocation → this
 * terminal's ledger → the online claim (online modes) → ledger.
 * ACCEPTED is only returned after ledger.redeem() committed. Any ledger failure
 * becomes a fault, never a redemption answer.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { toHex, verifyCoupon } from '../coupon/index.js';
import type { Claims, VerifiedCoupon, VerifyResult } from '../coupon/types.js';
import type { Clock } from '../drivers/clock/port.js';
import type { KeySource } from './keyring-holder.js';
import { LedgerError, type Ledger, type RedeemOutcome, type RedemptionInput } from './ledger/types.js';
import { errInfo } from './err-info.js';
import type { Logger } from './logger.js';
import { clockPlausible, couponRaise } from './trusted-time.js';
import type { FaultVerdict, RedeemVerdict, Verdict } from './verdict.js';
import { claimAction, OFFLINE_MARKS, type ClaimAction, type ClaimMarks } from './claims/outcome.js';
import type { ClaimInput, Claimer } from './claims/port.js';
import { withDeadline } from './claims/deadline.js';
import type { ClaimPolicy } from './claims/policy.js';

/** Online claims (claim modes): what the pipeline needs, injected by the composition root. */
export interface ClaimDeps {
  claimer: Claimer;
  /** the claim policy of a platform's merchant now (read per scan: a refreshed enrollment takes effect) */
  policy(platformId: string): ClaimPolicy;
}

/** A claimer that breaks its contract (never settles) still cannot hold the scan queue past its timeout plus this. */
const CLAIM_GRACE_MS = 250;

export interface Decision {
  verdict: Verdict;
  /** the scan log and the trusted floor: after the verdict is on screen */
  finish: () => void;
}

export interface RedeemerDeps {
  /** read once per scan: a new keyring (trust update, new merchant key) applies from the next scan */
  keys: KeySource;
  ledger: Ledger;
  clock: Clock;
  logger: Logger;
  terminalId: string;
  /** online claims; without them every platform is redeemed in `offline` mode */
  claims?: ClaimDeps;
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

  /** The whole pipeline for one scan of a Redeemer without claims (every platform offline); the verdict is final when this returns. */
  redeem(text: string, receivedAt = performance.now()): Verdict {
    if (this.deps.claims) throw new TypeError('Redeemer.redeem() is for a redeemer without claims; with claims use settle()');
    const decision = this.decide(text, receivedAt) as Decision;
    decision.finish();
    return decision.verdict;
  }

  /** The whole pipeline for one scan, online claim included; resolves with the final verdict. */
  async settle(text: string, receivedAt = performance.now()): Promise<Verdict> {
    const { verdict, finish } = await this.decide(text, receivedAt);
    finish();
    return verdict;
  }

  /**
   * The verdict (ledger commit included), plus the bookkeeping that may run
   * after it is on screen: the scan log and the trusted-time floor. Each is a
   * write with its own fsync; neither changes the verdict, so the cashier does
   * not wait for them. A crash in between loses at most one scan-log line.
   * A promise when the scan waits for an online claim (it never rejects).
   * @param receivedAt performance.now() when the line arrived (for latency)
   */
  decide(text: string, receivedAt = performance.now()): Decision | Promise<Decision> {
    const textHash = createHash('sha256').update(text, 'utf8').digest('hex');
    let scan: Scan | undefined;
    try {
      scan = this.begin(text, textHash, receivedAt);
      const step = this.check(scan);
      if (!(step instanceof Promise)) return this.decision(step, scan);
      const s = scan;
      return step.then((v) => this.decision(v, s), (err: unknown) => this.decision(this.fault(err, s), s));
    } catch (err) {
      const systemMs = this.deps.clock.now();
      const at = scan ?? { text, textHash, startedAt: receivedAt, nowMs: systemMs, clockWarning: false, floorS: 0, systemMs };
      return this.decision(this.fault(err, at), at);
    }
  }

  private decision(verdict: Verdict, scan: Scan): Decision {
    const raise = verdict.kind === 'verdict' && verdict.reason === 'ACCEPTED' && verdict.claims
      ? couponRaise(verdict.claims, Math.floor(scan.systemMs / 1000), scan.floorS, this.log)
      : undefined;
    return { verdict, finish: () => this.audit(verdict, raise) };
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

  private check(scan: Scan): Verdict | Promise<Verdict> {
    const result = verifyCoupon(scan.text, this.deps.keys.keyring, Math.floor(scan.nowMs / 1000));
    if (!result.ok) return this.verdict(scan, result.reason, result.message, result);
    if (this.deps.ledger.isRevoked(result.claims.iss, ctiHex(result.claims))) {
      return this.verdict(scan, 'REVOKED', `serial ${result.serial} was refunded / revoked by ${result.claims.iss}`, result);
    }
    const claims = this.deps.claims;
    const policy = claims?.policy(result.claims.iss);
    if (!claims || !policy || policy.mode === 'offline') return this.record(scan, result, OFFLINE_MARKS);
    // this counter's own ledger refuses a second use first: the platform's claim is idempotent for this terminal
    const local = this.deps.ledger.find(result.claims.iss, ctiHex(result.claims));
    if (local) return this.already(scan, result, local.at, local.terminalId);
    return this.claimOnline(scan, result, claims, policy);
  }

  /** Ask the platform, then act on its answer (or on none). Rejects only with a ledger failure. */
  private async claimOnline(scan: Scan, coupon: VerifiedCoupon, claims: ClaimDeps, policy: ClaimPolicy): Promise<Verdict> {
    const input = this.claimInput(scan, coupon);
    const answer = await withDeadline(claims.claimer.claim(input, { timeoutMs: policy.timeoutMs }), policy.timeoutMs + CLAIM_GRACE_MS);
    const ctx = { platformId: input.platformId, quantity: input.quantity, nowMs: scan.nowMs, backlog: () => this.deps.ledger.sync.offlineBacklog(input.platformId) };
    const action = claimAction(answer, policy, ctx);
    this.log.info({ serial: coupon.serial, mode: policy.mode, answer: answer.kind === 'answer' ? answer.response.result : answer.code, action: action.do }, 'claim');
    return this.act(scan, coupon, action);
  }

  private act(scan: Scan, coupon: VerifiedCoupon, action: ClaimAction): RedeemVerdict {
    switch (action.do) {
      case 'record':
        return this.record(scan, coupon, action.marks);
      case 'elsewhere':
        return { ...this.already(scan, coupon, action.at, action.terminalId), message: action.message, redeemedBranch: action.branchId };
      case 'revoked':
        this.deps.ledger.addRevocations(coupon.claims.iss, [ctiHex(coupon.claims)], this.deps.clock.now());
        return this.verdict(scan, 'REVOKED', action.message, coupon);
      case 'refuse':
        if (action.release) this.release(scan, coupon);
        return { ...this.verdict(scan, action.reason, action.message, coupon), detail: action.detail };
    }
  }

  /**
   * A claim that got no answer may have landed: the ledger keeps the scan as
   * released, and its reverse entry frees the coupon on the platform.
   */
  private release(scan: Scan, coupon: VerifiedCoupon): void {
    const { seq } = this.deps.ledger.release(this.redemptionInput(scan, coupon, { offline: false, claim: 'none' }), scan.nowMs);
    this.log.warn({ serial: coupon.serial, seq }, 'claim not answered and the scan refused: a release is queued for the platform');
  }

  private claimInput(scan: Scan, coupon: VerifiedCoupon): ClaimInput {
    const c = coupon.claims;
    return { platformId: c.iss, ctiHex: ctiHex(c), product: c.product, quantity: c.quantity, consumer: c.sub, scannedAt: scan.nowMs };
  }

  private already(scan: Scan, coupon: VerifiedCoupon, at: number, terminalId: string): RedeemVerdict {
    const v = this.verdict(scan, 'ALREADY_REDEEMED', `already redeemed at ${new Date(at).toISOString()} by terminal ${terminalId}`, coupon);
    return { ...v, redeemedAt: at, redeemedBy: terminalId };
  }

  private record(scan: Scan, coupon: VerifiedCoupon, marks: ClaimMarks): RedeemVerdict {
    const c = coupon.claims;
    const outcome: RedeemOutcome = this.deps.ledger.redeem(this.redemptionInput(scan, coupon, marks));
    if (!outcome.ok) return this.already(scan, coupon, outcome.first.at, outcome.first.terminalId);
    const how = marks.claim === 'claimed' ? ' (claimed online)' : marks.claim === 'unanswered' ? ' (offline: the platform did not answer)' : '';
    return { ...this.verdict(scan, 'ACCEPTED', `accepted: ${c.quantity} × ${c.title ?? c.product}${how}`, coupon), offline: marks.offline };
  }

  private redemptionInput(scan: Scan, coupon: VerifiedCoupon, marks: ClaimMarks): RedemptionInput {
    const c = coupon.claims;
    return {
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
      ...marks,
    };
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

