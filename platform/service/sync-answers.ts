/** Store outcomes as the protocol's answers (protocol/sync.ts): claims, upload results, conflict notices. */
import type { ConflictNotice, RedemptionRef } from '../../protocol/api.js';
import type { ClaimResponse, UploadResult } from '../../protocol/sync.js';
import type { ClaimOutcome, Conflict, RecordOutcome, Redemption } from '../store/store.js';

export function redemptionRef(r: Pick<Redemption, 'terminalId' | 'branchId' | 'scannedAt' | 'receivedAt' | 'offline'>): RedemptionRef {
  return { terminalId: r.terminalId, branchId: r.branchId, scannedAt: r.scannedAt.getTime(), receivedAt: r.receivedAt.getTime(), offline: r.offline };
}

export function claimAnswer(ctiHex: string, o: ClaimOutcome, time: number): ClaimResponse {
  switch (o.outcome) {
    case 'claimed':
      return { time, result: 'claimed', ctiHex, redemption: redemptionRef(o.redemption), repeated: o.repeated };
    case 'already-redeemed':
      return { time, result: 'already-redeemed', ctiHex, first: redemptionRef(o.first) };
    case 'revoked':
      return { time, result: 'revoked', ctiHex, revokedAt: o.revokedAt.getTime() };
    case 'unknown':
      return { time, result: 'unknown', ctiHex };
    case 'refused':
      return { time, result: 'refused', ctiHex, code: o.code, message: o.message };
  }
}

export function recordAnswer(r: { kind: 'redeem' | 'reverse'; ctiHex: string }, o: RecordOutcome): UploadResult {
  const echo = { kind: r.kind, ctiHex: r.ctiHex };
  switch (o.outcome) {
    case 'recorded':
    case 'duplicate':
    case 'unknown':
      return { result: o.outcome, ...echo };
    case 'conflict':
      return { result: 'conflict', ...echo, first: redemptionRef(o.winner) };
    case 'revoked':
      return { result: 'revoked', ...echo, revokedAt: o.revokedAt.getTime() };
    case 'refused':
      return { result: 'refused', ...echo, code: o.code, message: o.message };
  }
}

export function conflictNotice(c: Conflict): ConflictNotice {
  return { seq: c.seq, ctiHex: c.ctiHex, first: redemptionRef(c.winner), second: redemptionRef(c) };
}
