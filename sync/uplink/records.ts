/**
 * The outbox entry ↔ upload record mapping, and what each per-record answer
 * means for the ledger (protocol/sync.ts, docs/protocol.md "Uploads").
 * Pure: no I/O.
 */
import type { ConflictInput, OutboxAnswer, OutboxEntry } from '../../device/ledger/sync-types.js';
import type { UploadRecord, UploadResult } from '../../protocol/sync.js';

export function toUploadRecord(e: OutboxEntry): UploadRecord {
  const facts = { ctiHex: e.ctiHex, product: e.product, quantity: e.quantity, consumer: e.consumer, scannedAt: e.scannedAt };
  // the scan time is the redemption's own (never the upload time); a reverse also carries when it was reversed
  return e.kind === 'redeem' ? { kind: 'redeem', ...facts, offline: e.offline } : { kind: 'reverse', ...facts, reversedAt: e.at };
}

export interface ReadAnswers {
  answers: OutboxAnswer[];
  conflicts: ConflictInput[];
  revoked: { ctiHex: string; revokedAt: number }[];
}

/** This kiosk as the platform knows it: its enrolled terminal id and branch (not config's `terminalId`, the host name). */
export interface EnrolledSelf {
  terminalId: string;
  branchId: string;
}

/**
 * The answers of one upload, matched to the entries sent; undefined when they
 * do not match (not believed: the entries stay pending). A conflict names this
 * kiosk by its enrolled id, as the platform's conflict notices do, so that the
 * two reports of one conflict are one row in the ledger.
 */
export function readAnswers(entries: readonly OutboxEntry[], results: readonly UploadResult[], self: EnrolledSelf): ReadAnswers | undefined {
  if (results.length !== entries.length) return undefined;
  const out: ReadAnswers = { answers: [], conflicts: [], revoked: [] };
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const r = results[i]!;
    if (r.kind !== e.kind || r.ctiHex !== e.ctiHex) return undefined;
    out.answers.push(answerOf(e, r));
    if (r.result === 'conflict') {
      out.conflicts.push({
        ctiHex: e.ctiHex, noticeSeq: null, side: 'lost', first: r.first,
        second: { terminalId: self.terminalId, branchId: self.branchId, scannedAt: e.scannedAt, receivedAt: null, offline: e.offline },
      });
    }
    if (r.result === 'revoked') out.revoked.push({ ctiHex: e.ctiHex, revokedAt: r.revokedAt });
  }
  return out;
}

function answerOf(e: OutboxEntry, r: UploadResult): OutboxAnswer {
  switch (r.result) {
    case 'recorded':
    case 'duplicate':
      return { seq: e.seq, state: 'sent', result: r.result };
    case 'conflict':
      return { seq: e.seq, state: 'sent', result: r.result, detail: `redeemed first by ${r.first.terminalId} (${r.first.branchId}) scanned ${new Date(r.first.scannedAt).toISOString()}` };
    case 'unknown':
      return { seq: e.seq, state: 'rejected', result: r.result, detail: 'not a coupon this platform issued to this merchant' };
    case 'revoked':
      return { seq: e.seq, state: 'rejected', result: r.result, detail: `revoked ${new Date(r.revokedAt).toISOString()}` };
    case 'refused':
      return { seq: e.seq, state: 'rejected', result: r.result, detail: `${r.code}: ${r.message}` };
  }
}
