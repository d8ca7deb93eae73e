/** Store records as admin API bodies: ISO times, serials as the kiosk shows them, no private keys. */
import { formatSerial } from '../../coupon/index.js';
import type { Conflict, Merchant, MerchantKeyRecord, Redemption, SigningKeyRecord, Terminal } from '../store/store.js';

export const iso = (d: Date): string => d.toISOString();
export const isoOrNull = (d: Date | null): string | null => (d === null ? null : d.toISOString());
export const serialOf = (ctiHex: string): string => formatSerial(Uint8Array.from(Buffer.from(ctiHex, 'hex')));

export function merchantView(m: Merchant, keys: MerchantKeyRecord[], live: ReadonlySet<string>) {
  return {
    merchantId: m.merchantId,
    name: m.name,
    sync: { claimMode: m.claimMode, ...m.settings },
    keys: keys.map((k) => ({ kid: k.kid, kind: k.kind, createdAt: iso(k.createdAt), retiredAt: isoOrNull(k.retiredAt), live: live.has(k.kid) })),
    createdAt: iso(m.createdAt),
  };
}

export function signingKeyView(k: SigningKeyRecord) {
  return { kid: k.kid, alg: k.alg, notBefore: iso(k.notBefore), notAfter: isoOrNull(k.notAfter) };
}

export function terminalView(t: Terminal) {
  return {
    terminalId: t.terminalId, merchantId: t.merchantId, branchId: t.branchId, name: t.name, software: t.software,
    signKid: t.signKid, wrapKid: t.wrapKid, enabled: t.enabled, disabledAt: isoOrNull(t.disabledAt), enrolledVia: t.enrolledVia, createdAt: iso(t.createdAt),
  };
}

export function redemptionView(r: Redemption) {
  return {
    serial: serialOf(r.ctiHex), ctiHex: r.ctiHex, terminalId: r.terminalId, merchantId: r.merchantId, branchId: r.branchId,
    scannedAt: iso(r.scannedAt), receivedAt: iso(r.receivedAt), offline: r.offline, source: r.source, reversedAt: isoOrNull(r.reversedAt),
    reversalReceivedAt: isoOrNull(r.reversalReceivedAt),
  };
}

export function conflictView(c: Conflict) {
  return {
    seq: c.seq, serial: serialOf(c.ctiHex), ctiHex: c.ctiHex, terminalId: c.terminalId, branchId: c.branchId,
    scannedAt: iso(c.scannedAt), receivedAt: iso(c.receivedAt), offline: c.offline, source: c.source, promoted: c.promoted, reversedAt: isoOrNull(c.reversedAt),
    winner: { terminalId: c.winner.terminalId, branchId: c.winner.branchId, scannedAt: iso(c.winner.scannedAt), receivedAt: iso(c.winner.receivedAt) },
  };
}
