/** What an enrollment or a bundle import tells the technician (and `--json` scripts): ids, kids, fingerprints; never a key. */
import type { MerchantKey } from '../coupon/types.js';
import { toHex } from '../coupon/index.js';
import { fingerprint, type CheckedDocuments, type TrustAnchor } from './platform-documents.js';

export interface PlatformKeyView {
  kid: string;
  alg: 'EdDSA' | 'PS256';
  /** SHA-256 of the public key, hex: the kid is its first 16 digits */
  fingerprint: string;
  notAfter: string | null;
}

export interface EnrollOutcome {
  platformId: string;
  merchantId: string;
  branchId: string;
  terminalId: string;
  terminalKid: string;
  wrapKid: string;
  claimMode: string | null;
  trustSeq: number;
  /** how the platform key was trusted: the expected kid, or on first use */
  anchor: TrustAnchor;
  platformKeys: PlatformKeyView[];
  merchantKids: string[];
  dir: string;
  /** the keys of an earlier, interrupted attempt with this token were sent again */
  reusedKeys: boolean;
  /** the platform's signed clock minus this kiosk's, ms */
  clockSkewMs: number;
}

export function platformKeyViews(docs: Pick<CheckedDocuments, 'trust'>): PlatformKeyView[] {
  return docs.trust.bundle.keys.map((entry, i) => ({
    kid: entry.kid,
    alg: entry.alg,
    fingerprint: fingerprint(docs.trust.keys[i]!.publicKey),
    notAfter: entry.notAfter === undefined ? null : new Date(entry.notAfter).toISOString(),
  }));
}

export function describeOutcome(dir: string, docs: CheckedDocuments & { merchantKeys: readonly MerchantKey[] }, extra: { anchor: TrustAnchor; reusedKeys: boolean; clockSkewMs: number }): EnrollOutcome {
  const e = docs.enrollment;
  const claim = e.sync['claimMode'];
  return {
    platformId: e.platformId, merchantId: e.merchantId, branchId: e.branchId, terminalId: e.terminalId, terminalKid: e.terminalKid, wrapKid: e.wrapKid,
    claimMode: typeof claim === 'string' ? claim : null, trustSeq: docs.trust.bundle.seq, anchor: extra.anchor, platformKeys: platformKeyViews(docs),
    merchantKids: docs.merchantKeys.map((k) => toHex(k.kid)), dir, reusedKeys: extra.reusedKeys, clockSkewMs: extra.clockSkewMs,
  };
}
