/**
 * Applying what the platform says about this terminal (a verified
 * `GET /v1/terminal/state` answer, or its signed 403 TERMINAL_DISABLED) to
 * the key store: the one place that does it, for `kiosk provision refresh`
 * and for the sync worker in the running kiosk. The caller verified the
 * answer's HTTP signature; this verifies what must stand on its own:
 *
 * - a newer trust bundle must be signed by a key the kiosk trusts now; a
 *   lower sequence number is refused (no rollback), an equal one is a no-op;
 * - new merchant keys, sealed to the wrap key, are installed; keys the
 *   platform no longer lists (their coupons have expired) are deleted;
 * - the signed platform time raises the trusted-time floor (bounded by
 *   device/trusted-time.ts through `raiseTime`);
 * - a disabled terminal deletes this platform's merchant keys and records
 *   why; an enabled answer after that clears it (the keys come again).
 *
 * Every file is replaced atomically, under the store lock, and the change
 * bumps the generation so a running kiosk reloads its keyring.
 */
import path from 'node:path';
import type { MerchantKey } from '../coupon/types.js';
import { toHex } from '../coupon/index.js';
import type { Logger } from '../device/logger.js';
import type { TerminalStateResponse } from '../protocol/api.js';
import { TRUST_BUNDLE_CONTENT_TYPE, decodeTrustBundle } from '../protocol/documents.js';
import { MERCHANT_KEYS_CONTENT_TYPE, decodeMerchantKeys } from '../protocol/merchant-keys.js';
import { openSealed } from '../protocol/sealed.js';
import { verifyDocument } from '../protocol/signed-document.js';
import { lookupValid } from './platform-documents.js';
import { ProvisionError } from './errors.js';
import { listNames } from './store/key-files.js';
import { MERCHANT_KEYS_DIR, merchantFileKid } from './store/layout.js';
import { isEnrolled, loadPlatform, type EnrolledPlatform } from './store/load.js';
import { withStoreLock } from './store/lock.js';
import type { EnrollmentRecord } from './store/record.js';
import { bumpGeneration, dropMerchantKeys, putMerchantKeys, replaceRecord, replaceTrust } from './store/write.js';

export type StateAnswer =
  | { kind: 'state'; state: TerminalStateResponse }
  /** a signed 403 TERMINAL_DISABLED; `signedAtMs` is its signature's time */
  | { kind: 'disabled'; message: string; signedAtMs: number | undefined };

export interface StateContext {
  home: string;
  platformId: string;
  logger: Logger;
  now?: () => number;
  /** raises the trusted-time floor (device/trusted-time.ts raiseTrustedTime); absent: not raised */
  raiseTime?: ((tS: number, source: string) => number) | undefined;
}

export interface StateApplied {
  platformId: string;
  trust: { seq: number; offered: number | null; outcome: 'applied' | 'same' | 'none' | 'rollback-refused' | 'unverified-refused' };
  merchantKeys: { added: string[]; dropped: string[]; held: string[] };
  disabled: boolean;
  /** the floor after the platform time, Unix s (null: no ledger to raise) */
  trustedTimeS: number | null;
  platformTime: number | null;
  /** the keys or settings changed (the generation was bumped: a running kiosk reloads) */
  changed: boolean;
}

/** A state that changes nothing is recorded (lastRefresh) at most this often: each write is an fsync on the kiosk's storage. */
export const REFRESH_RECORD_EVERY_MS = 3600_000;

type Applied = Omit<StateApplied, 'platformId' | 'trustedTimeS' | 'platformTime'>;

export async function applyState(ctx: StateContext, answer: StateAnswer): Promise<StateApplied> {
  const now = ctx.now ?? Date.now;
  const log = ctx.logger.child({ module: 'terminal-state', platform: ctx.platformId });
  return withStoreLock(ctx.home, 'apply terminal state', () => {
    if (!isEnrolled(ctx.home, ctx.platformId)) throw new ProvisionError('NOT_ENROLLED', `platform '${ctx.platformId}' is not enrolled (removed meanwhile?)`);
    const platform = loadPlatform(ctx.home, ctx.platformId);
    const result = answer.kind === 'disabled' ? disable(platform, answer, now(), log) : applyEnabled(platform, answer.state, now(), log);
    const platformTime = answer.kind === 'state' ? answer.state.time : answer.signedAtMs ?? null;
    const trustedTimeS = platformTime !== null && ctx.raiseTime ? ctx.raiseTime(Math.floor(platformTime / 1000), `platform-time:${ctx.platformId}`) : null;
    if (result.changed) bumpGeneration(ctx.home);
    return { ...result, platformId: ctx.platformId, trustedTimeS, platformTime };
  });
}

function disable(p: EnrolledPlatform, answer: { message: string }, nowMs: number, log: Logger): Applied {
  // every key file, also those a disabled record already hides from the keyring
  const home = listNames(path.join(p.dir, MERCHANT_KEYS_DIR)).map(merchantFileKid).filter((k): k is string => k !== undefined);
  if (p.record.disabled && home.length === 0) return { trust: { seq: p.trust.seq, offered: null, outcome: 'none' }, merchantKeys: { added: [], dropped: [], held: [] }, disabled: true, changed: false };
  dropMerchantKeys(p.dir, home);
  const disabled = p.record.disabled ?? { at: nowMs, code: 'TERMINAL_DISABLED', message: answer.message.slice(0, 1024) || 'disabled by the platform' };
  replaceRecord(p.dir, { ...p.record, disabled, lastRefresh: { at: nowMs, platformTime: p.record.lastRefresh?.platformTime ?? nowMs } });
  log.error({ terminalId: p.record.terminalId, dropped: home, why: disabled.message }, 'the platform disabled this terminal: its merchant keys are deleted');
  return { trust: { seq: p.trust.seq, offered: null, outcome: 'none' }, merchantKeys: { added: [], dropped: home, held: [] }, disabled: true, changed: true };
}

function applyEnabled(p: EnrolledPlatform, state: TerminalStateResponse, nowMs: number, log: Logger): Applied {
  const trust = applyTrust(p, state, nowMs, log);
  const added = installDelivered(p, state, log);
  const listed = new Set(state.merchantKids);
  const dropped = p.merchantKeys.filter((k) => k.origin === 'home' && !listed.has(k.kidHex)).map((k) => k.kidHex);
  dropMerchantKeys(p.dir, dropped);
  if (dropped.length > 0) log.info({ dropped }, 'merchant keys the platform no longer lists deleted (their coupons have expired)');
  const record: EnrollmentRecord = { ...p.record, sync: { ...state.sync }, disabled: null, lastRefresh: { at: nowMs, platformTime: state.time } };
  if (p.record.disabled) log.warn({ terminalId: p.record.terminalId }, 'the platform enabled this terminal again');
  const changed = trust.outcome === 'applied' || added.length > 0 || dropped.length > 0 || p.record.disabled !== null || JSON.stringify(p.record.sync) !== JSON.stringify(record.sync);
  const due = p.record.lastRefresh === null || nowMs - p.record.lastRefresh.at >= REFRESH_RECORD_EVERY_MS;
  if (changed || due) replaceRecord(p.dir, record);
  const held = [...new Set([...p.merchantKeys.map((k) => k.kidHex), ...added])].filter((k) => !dropped.includes(k)).sort();
  return { trust, merchantKeys: { added, dropped, held }, disabled: false, changed };
}

/** A newer bundle, signed by a key trusted now, replaces the installed one; never an older one. */
function applyTrust(p: EnrolledPlatform, state: TerminalStateResponse, nowMs: number, log: Logger): StateApplied['trust'] {
  const seq = p.trust.seq;
  if (state.trust === undefined) return { seq, offered: state.trustSeq, outcome: state.trustSeq === seq ? 'same' : 'none' };
  const bytes = Buffer.from(state.trust, 'base64');
  const verified = verifyDocument(bytes, TRUST_BUNDLE_CONTENT_TYPE, lookupValid(p.trust.keys, nowMs));
  const decoded = verified.ok ? decodeTrustBundle(verified.payload) : undefined;
  if (!verified.ok || !decoded?.ok || decoded.bundle.platformId !== p.platformId) {
    const why = !verified.ok ? `${verified.code}: ${verified.message}` : decoded && !decoded.ok ? decoded.message : 'another platform\'s bundle';
    log.warn({ offered: state.trustSeq, why }, 'trust bundle ignored: not signed by a key this kiosk trusts');
    return { seq, offered: state.trustSeq, outcome: 'unverified-refused' };
  }
  const offered = decoded.bundle.seq;
  if (offered < seq) {
    log.error({ installed: seq, offered }, 'trust bundle refused: a lower sequence number than the installed one (no rollback)');
    return { seq, offered, outcome: 'rollback-refused' };
  }
  if (offered === seq) return { seq, offered, outcome: 'same' };
  replaceTrust(p.dir, { format: 1, seq: offered, issuedAt: decoded.bundle.issuedAt, receivedAt: nowMs, document: state.trust });
  log.info({ from: seq, to: offered, keys: decoded.bundle.keys.map((k) => k.kid) }, 'trust bundle updated');
  return { seq: offered, offered, outcome: 'applied' };
}

/** Merchant keys sealed to the wrap key; only those the answer lists are taken. */
function installDelivered(p: EnrolledPlatform, state: TerminalStateResponse, log: Logger): string[] {
  if (state.merchantKeys === undefined) return [];
  const opened = openSealed(Buffer.from(state.merchantKeys, 'base64'), MERCHANT_KEYS_CONTENT_TYPE, (kid) => (kid === p.wrapKey.kid ? p.wrapKey.privateKey : undefined));
  const decoded = opened.ok ? decodeMerchantKeys(opened.plaintext) : undefined;
  if (!opened.ok || !decoded?.ok) {
    log.warn({ why: opened.ok ? decoded && !decoded.ok && decoded.message : `${opened.code}: ${opened.message}` }, 'delivered merchant keys ignored: they do not open with the wrap key');
    return [];
  }
  const listed = new Set(state.merchantKids);
  const fresh: MerchantKey[] = decoded.keys.filter((k) => listed.has(toHex(k.kid)) && !p.merchantKeys.some((h) => h.kidHex === toHex(k.kid)));
  putMerchantKeys(p.dir, fresh);
  const added = fresh.map((k) => toHex(k.kid));
  if (added.length > 0) log.info({ added }, 'new merchant keys installed');
  return added;
}
