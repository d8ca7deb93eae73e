/**
 * `kiosk provision status`: every platform of the home (enrolled, and from
 * PEM files), with ids, claim mode, kids and fingerprints, key validity and
 * expiry warnings, the trust bundle's seq and age, disabled state. Only
 * public facts: kids, fingerprints, times. A platform whose files do not
 * load is listed with the problem, never hidden. A stale trust bundle is a
 * warning: it never stops redemption of validly signed coupons.
 */
import { createHash, createPublicKey } from 'node:crypto';
import { kidInput } from '../coupon/keys.js';
import { toHex } from '../coupon/index.js';
import type { PlatformKey } from '../coupon/types.js';
import { homePaths, readTrust } from '../device/home.js';
import { loadMerchantKeys } from '../device/merchant-keys.js';
import { toPlatformTrust } from '../device/trust-store.js';
import { fingerprint } from './platform-documents.js';
import { credentialsDir } from './store/key-files.js';
import { enrolledIds, loadPlatform, type EnrolledPlatform } from './store/load.js';
import { stagingFolders } from './store/write.js';

/** A trust bundle not confirmed as the newest for this long is stale (a warning only). */
export const TRUST_STALE_AFTER_MS = 7 * 24 * 3600_000;
/** A platform key ending within this long is about to expire (a warning, when it is the last valid one). */
export const KEY_EXPIRY_WARNING_MS = 7 * 24 * 3600_000;

export interface KeyView {
  kid: string;
  fingerprint: string;
}

export interface PlatformKeyStatus extends KeyView {
  alg: 'EdDSA' | 'PS256';
  notBefore: string | null;
  notAfter: string | null;
  state: 'valid' | 'expiring' | 'expired' | 'not-yet-valid';
}

export interface PlatformStatus {
  platformId: string;
  source: 'enrolled' | 'pem-import';
  merchantId: string | null;
  terminalId: string | null;
  branchId: string | null;
  claimMode: string | null;
  url: string | null;
  tls: string | null;
  enrolledAt: string | null;
  enrolledBy: string | null;
  trustAnchor: { mode: string; kid: string } | null;
  terminalKey: (KeyView & { origin: string }) | null;
  wrapKey: (KeyView & { origin: string }) | null;
  trust: { seq: number; issuedAt: string; checkedAt: string; ageS: number; stale: boolean } | null;
  platformKeys: PlatformKeyStatus[];
  merchantKeys: (KeyView & { kind: string; origin: string })[];
  disabled: { at: string; message: string } | null;
  lastRefresh: string | null;
  warnings: string[];
  /** the code and message when this platform's files do not load */
  problem: { code: string; message: string } | null;
}

export interface ProvisionStatus {
  home: string;
  credentialsDirectory: string | null;
  platforms: PlatformStatus[];
  /** staging folders of interrupted enrollments (their keys are kept for a retry with the same token) */
  staging: string[];
  warnings: string[];
}

const iso = (ms: number | undefined | null): string | null => (ms === undefined || ms === null ? null : new Date(ms).toISOString());

export function provisionStatus(home: string, opts: { nowMs: number; credentials?: string | undefined }): ProvisionStatus {
  const credentials = 'credentials' in opts ? opts.credentials : credentialsDir();
  const platforms: PlatformStatus[] = [...legacyStatus(home, opts.nowMs), ...enrolledIds(home).map((id) => enrolledStatus(home, id, opts.nowMs, credentials))];
  const staging = stagingFolders(home);
  const warnings = platforms.flatMap((p) => p.warnings.map((w) => `${p.platformId}: ${w}`));
  if (staging.length > 0) warnings.push(`${staging.length} interrupted enrollment(s) keep their keys in platforms/ for a retry with the same token (deleted after 8 days)`);
  return { home: homePaths(home).home, credentialsDirectory: credentials ?? null, platforms, staging, warnings };
}

function enrolledStatus(home: string, platformId: string, nowMs: number, credentials: string | undefined): PlatformStatus {
  let p: EnrolledPlatform;
  try {
    p = loadPlatform(home, platformId, { credentials });
  } catch (err) {
    const e = err as Error & { code?: string };
    return { ...blank(platformId, 'enrolled'), problem: { code: e.code ?? 'UNREADABLE', message: e.message }, warnings: [`does not load: ${e.message}`] };
  }
  const r = p.record;
  const checkedAt = r.lastRefresh?.at ?? p.trust.receivedAt;
  const stale = nowMs - checkedAt > TRUST_STALE_AFTER_MS;
  const platformKeys = keyStatuses(p.trust.keys, p.trust.bundle.keys, nowMs);
  const warnings = [...keyWarnings(platformKeys)];
  if (stale) warnings.push(`trust bundle ${p.trust.seq} last confirmed ${Math.floor((nowMs - checkedAt) / 86_400_000)} days ago: run kiosk provision refresh (coupons still redeem)`);
  if (r.disabled) warnings.push(`terminal ${r.terminalId} was disabled by the platform on ${iso(r.disabled.at)}: ${r.disabled.message}`);
  if (!r.disabled && p.merchantKeys.length === 0) warnings.push('no merchant key: this platform\'s coupons cannot be decrypted');
  return {
    platformId, source: 'enrolled', merchantId: r.merchantId, terminalId: r.terminalId, branchId: r.branchId,
    claimMode: typeof r.sync['claimMode'] === 'string' ? r.sync['claimMode'] : null, url: r.url,
    tls: r.tls.mode === 'pin' ? `pin ${r.tls.pin}` : r.tls.mode, enrolledAt: iso(r.enrolledAt), enrolledBy: r.enrolledBy, trustAnchor: r.trustAnchor,
    terminalKey: { kid: p.terminalKey.kid, fingerprint: keyFingerprint(p.terminalKey.privateKey), origin: p.terminalKey.origin },
    wrapKey: { kid: p.wrapKey.kid, fingerprint: keyFingerprint(p.wrapKey.privateKey), origin: p.wrapKey.origin },
    trust: { seq: p.trust.seq, issuedAt: iso(p.trust.issuedAt)!, checkedAt: iso(checkedAt)!, ageS: Math.floor((nowMs - p.trust.issuedAt) / 1000), stale },
    platformKeys,
    merchantKeys: p.merchantKeys.map((k) => ({ kid: k.kidHex, fingerprint: keyFingerprint(k.privateKey), kind: k.kind, origin: k.origin })),
    disabled: r.disabled ? { at: iso(r.disabled.at)!, message: r.disabled.message } : null,
    lastRefresh: iso(r.lastRefresh?.at), warnings, problem: null,
  };
}

/** trust.json's platforms (PEM import); they share keys/'s merchant keys, listed once under the first. */
function legacyStatus(home: string, nowMs: number): PlatformStatus[] {
  const paths = homePaths(home);
  try {
    const platforms = toPlatformTrust(readTrust(paths.trust));
    const merchant = loadMerchantKeys(paths.keys).map((k) => ({ kid: toHex(k.kid), fingerprint: keyFingerprint(k.privateKey), kind: k.kind, origin: 'home' }));
    return platforms.map((pt, i) => {
      const platformKeys = keyStatuses(pt.keys, undefined, nowMs);
      return { ...blank(pt.platformId, 'pem-import'), merchantId: pt.merchantId, platformKeys, merchantKeys: i === 0 ? merchant : [], warnings: keyWarnings(platformKeys) };
    });
  } catch (err) {
    const e = err as Error & { code?: string };
    return [{ ...blank('(trust.json)', 'pem-import'), problem: { code: e.code ?? 'UNREADABLE', message: e.message }, warnings: [`does not load: ${e.message}`] }];
  }
}

function keyStatuses(keys: readonly PlatformKey[], entries: readonly { alg: 'EdDSA' | 'PS256' }[] | undefined, nowMs: number): PlatformKeyStatus[] {
  const s = nowMs / 1000;
  return keys.map((k, i) => {
    const state = k.notBefore !== undefined && s < k.notBefore ? 'not-yet-valid'
      : k.notAfter !== undefined && s >= k.notAfter ? 'expired'
        : k.notAfter !== undefined && (k.notAfter * 1000 - nowMs) < KEY_EXPIRY_WARNING_MS ? 'expiring' : 'valid';
    return {
      kid: toHex(k.kid), fingerprint: fingerprint(k.publicKey), alg: entries?.[i]?.alg ?? (k.alg === -8 ? 'EdDSA' : 'PS256'),
      notBefore: iso(k.notBefore === undefined ? undefined : k.notBefore * 1000), notAfter: iso(k.notAfter === undefined ? undefined : k.notAfter * 1000), state,
    };
  });
}

function keyWarnings(keys: readonly PlatformKeyStatus[]): string[] {
  const usable = keys.filter((k) => k.state === 'valid' || k.state === 'expiring');
  if (usable.length === 0) return ['no platform key is valid now: every coupon of this platform is refused; refresh, or enroll again'];
  if (usable.every((k) => k.state === 'expiring')) return [`the last valid platform key expires ${usable.map((k) => k.notAfter).sort().pop()}: refresh to receive its successor`];
  return [];
}

function keyFingerprint(privateKey: Parameters<typeof createPublicKey>[0]): string {
  return createHash('sha256').update(kidInput(createPublicKey(privateKey))).digest('hex');
}

function blank(platformId: string, source: PlatformStatus['source']): PlatformStatus {
  return {
    platformId, source, merchantId: null, terminalId: null, branchId: null, claimMode: null, url: null, tls: null, enrolledAt: null, enrolledBy: null,
    trustAnchor: null, terminalKey: null, wrapKey: null, trust: null, platformKeys: [], merchantKeys: [], disabled: null, lastRefresh: null, warnings: [], problem: null,
  };
}
