/**
 * The ledger's side of the platform link (sync/): the outbox walked per
 * platform in seq order, the answers recorded on it, and the bookkeeping a
 * link keeps across restarts (cursors, last contact, conflicts). Only the
 * sync worker, `kiosk sync` and `kiosk reverse` call this.
 */
import type { EntryFacts, OutboxKind, OutboxState } from './types.js';

/** One outbox entry with what an upload record (and a USB batch record) needs of its redemption. */
export interface OutboxEntry extends EntryFacts {
  seq: number;
  kind: OutboxKind;
  platformId: string;
  redemptionId: number;
  /** the event's time: the scan (redeem) or the reversal (reverse), kiosk time, Unix ms */
  at: number;
  state: OutboxState;
  /** the redemption's scan time (a reverse entry names the scan it undoes) */
  scannedAt: number;
  offline: boolean;
}

/** An entry the platform answered: sent (it has it) or rejected (for good); `detail` is the answer's own words. */
export interface OutboxAnswer {
  seq: number;
  state: 'sent' | 'rejected';
  result: string;
  detail?: string;
}

/** An entry that needs a person: rejected by the platform, or held (the platform cannot read it). */
export interface AttentionEntry extends OutboxEntry {
  result: string | null;
  detail: string | null;
  answeredAt: number | null;
}

export interface SyncStateRow {
  platformId: string;
  /** pass as `after` to the next revocation pull */
  revocationsCursor: number;
  /** local Unix ms of the last revocation pull that reached the end of the list */
  revocationsAt: number | null;
  /** pass as `conflictsAfter` to the next state pull */
  conflictsCursor: number;
  /** local Unix ms of the last signed answer from the platform */
  lastSyncAt: number | null;
  lastUploadAt: number | null;
  lastErrorAt: number | null;
  lastError: string | null;
}

/** One side of a conflict, as the platform reported it. */
export interface ConflictParty {
  terminalId: string;
  branchId: string | null;
  scannedAt: number;
  receivedAt: number | null;
  offline: boolean;
}

export interface ConflictInput {
  ctiHex: string;
  /** the platform's notice seq (state answers); null when learned from an upload answer */
  noticeSeq: number | null;
  /** won: this terminal's redemption counts; lost: another terminal's does */
  side: 'won' | 'lost';
  first: ConflictParty;
  second: ConflictParty;
}

export interface ConflictRecord extends ConflictInput {
  id: number;
  platformId: string;
  /** local Unix ms when the kiosk learned it */
  seenAt: number;
}

export interface PlatformSyncCounts {
  /** entries not answered (pending and held) */
  pending: number;
  held: number;
  rejected: number;
  conflicts: number;
}

export interface SyncLedger {
  /** up to `limit` entries of a platform waiting for upload, in seq order (held ones left out) */
  pending(platformId: string, limit: number): OutboxEntry[];
  /** records the platform's answers in one transaction (and the contact in sync_state); an entry already answered keeps its first answer; returns how many changed */
  answer(platformId: string, answers: readonly OutboxAnswer[], at: number): number;
  /** a record the platform cannot read (400 on it alone): kept, shown, not sent again until the kiosk restarts */
  hold(seq: number, detail: string, at: number): void;
  /** held entries pending again (new software may send them readably); returns how many */
  releaseHeld(): number;
  /** unsent offline redemptions of a platform (online-preferred's limits): how many, and the oldest scan time */
  offlineBacklog(platformId: string): { count: number; oldestAt: number | null };
  counts(platformId: string): PlatformSyncCounts;
  /** rejected and held entries, newest first */
  attention(opts?: { platformId?: string; limit?: number }): AttentionEntry[];
  state(platformId: string): SyncStateRow;
  /** the platform answered (signed) at `at`, or a request failed with `error` */
  noteContact(platformId: string, at: number, error?: string): void;
  /** a page of the revocation list and its cursor, in one transaction; `complete`: the list's end was reached (its age restarts) */
  addRevocations(platformId: string, items: readonly { ctiHex: string; revokedAt: number }[], cursor: number, complete: boolean, at: number): number;
  /** conflicts (an upload answer's, a state answer's page with its cursor), in one transaction; returns how many were new */
  addConflicts(platformId: string, conflicts: readonly ConflictInput[], cursor: number | undefined, at: number): number;
  /** newest first */
  conflicts(opts?: { platformId?: string; limit?: number }): ConflictRecord[];
}
