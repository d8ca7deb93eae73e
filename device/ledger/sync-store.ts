import type Database from 'better-sqlite3';
import type { Guard } from './export-store.js';
import type {
  AttentionEntry, ConflictInput, ConflictParty, ConflictRecord, OutboxAnswer, OutboxEntry, PlatformSyncCounts, SyncLedger, SyncStateRow,
} from './sync-types.js';

interface EntryRow extends Omit<OutboxEntry, 'offline'> {
  offline: number;
}

type AttentionRow = Omit<AttentionEntry, 'offline'> & { offline: number };

interface ConflictRow {
  id: number;
  platformId: string;
  ctiHex: string;
  noticeSeq: number | null;
  side: 'won' | 'lost';
  first: string;
  second: string;
  seenAt: number;
}

const ENTRY = `SELECT o.seq, o.kind, o.platform_id AS platformId, o.redemption_id AS redemptionId, o.at, o.state,
  r.cti_hex AS ctiHex, r.serial, r.product, r.quantity, r.consumer, r.merchant_id AS merchantId, r.terminal_id AS terminalId,
  r.at AS scannedAt, r.offline
  FROM outbox o JOIN redemptions r ON r.id = o.redemption_id`;

const STATE = `SELECT platform_id AS platformId, revocations_cursor AS revocationsCursor, revocations_at AS revocationsAt,
  conflicts_cursor AS conflictsCursor, last_sync_at AS lastSyncAt, last_upload_at AS lastUploadAt,
  last_error_at AS lastErrorAt, last_error AS lastError FROM sync_state WHERE platform_id = ?`;

const CONFLICT = `SELECT id, platform_id AS platformId, cti_hex AS ctiHex, notice_seq AS noticeSeq, side, first, second, seen_at AS seenAt FROM conflicts`;

function prepare(db: Database.Database) {
  return {
    pending: db.prepare<[string, number], EntryRow>(`${ENTRY} WHERE o.platform_id = ? AND o.state = 'pending' ORDER BY o.seq LIMIT ?`),
    answer: db.prepare<[string, string, string | null, number, number]>(
      `UPDATE outbox SET state = ?, result = ?, detail = ?, answered_at = ? WHERE seq = ? AND state IN ('pending', 'held')`,
    ),
    hold: db.prepare<[string, number, number]>(`UPDATE outbox SET state = 'held', detail = ?, answered_at = ? WHERE seq = ? AND state = 'pending'`),
    releaseHeld: db.prepare(`UPDATE outbox SET state = 'pending' WHERE state = 'held'`),
    offline: db.prepare<[string], { n: number; oldest: number | null }>(
      `SELECT count(*) AS n, min(r.at) AS oldest FROM outbox o JOIN redemptions r ON r.id = o.redemption_id
        WHERE o.platform_id = ? AND o.state = 'pending' AND o.kind = 'redeem' AND r.offline = 1 AND r.reversed_at IS NULL`,
    ),
    offlineHeld: db.prepare<[string], { n: number; oldest: number | null }>(
      `SELECT count(*) AS n, min(r.at) AS oldest FROM outbox o JOIN redemptions r ON r.id = o.redemption_id
        WHERE o.platform_id = ? AND o.state = 'held' AND o.kind = 'redeem' AND r.offline = 1 AND r.reversed_at IS NULL`,
    ),
    countState: db.prepare<[string, string], { n: number }>(`SELECT count(*) AS n FROM outbox WHERE platform_id = ? AND state = ?`),
    countConflicts: db.prepare<[string], { n: number }>(`SELECT count(*) AS n FROM conflicts WHERE platform_id = ?`),
    attentionAll: db.prepare<[number], AttentionRow>(
      `${ENTRY.replace('o.state,', 'o.state, o.result, o.detail, o.answered_at AS answeredAt,')} WHERE o.state IN ('held', 'rejected') ORDER BY o.seq DESC LIMIT ?`,
    ),
    attentionOf: db.prepare<[string, number], AttentionRow>(
      `${ENTRY.replace('o.state,', 'o.state, o.result, o.detail, o.answered_at AS answeredAt,')} WHERE o.platform_id = ? AND o.state IN ('held', 'rejected') ORDER BY o.seq DESC LIMIT ?`,
    ),
    state: db.prepare<[string], SyncStateRow>(STATE),
    ensure: db.prepare<[string]>(`INSERT INTO sync_state (platform_id) VALUES (?) ON CONFLICT DO NOTHING`),
    contact: db.prepare<[number, string]>(`UPDATE sync_state SET last_sync_at = ? WHERE platform_id = ?`),
    uploaded: db.prepare<[number, number, string]>(`UPDATE sync_state SET last_sync_at = ?, last_upload_at = ? WHERE platform_id = ?`),
    failed: db.prepare<[number, string, string]>(`UPDATE sync_state SET last_error_at = ?, last_error = ? WHERE platform_id = ?`),
    revocation: db.prepare<[string, string, number, number]>(
      `INSERT INTO revocations (platform_id, cti_hex, at, revoked_at) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET revoked_at = excluded.revoked_at`,
    ),
    revocationCursor: db.prepare<[number, number | null, string]>(
      `UPDATE sync_state SET revocations_cursor = max(revocations_cursor, ?), revocations_at = coalesce(?, revocations_at) WHERE platform_id = ?`,
    ),
    conflictCursor: db.prepare<[number, string]>(`UPDATE sync_state SET conflicts_cursor = max(conflicts_cursor, ?) WHERE platform_id = ?`),
    // one row per losing scan: a notice for a conflict first learned from an upload answer adds its seq
    conflict: db.prepare<[Record<string, unknown>]>(
      `INSERT INTO conflicts (platform_id, cti_hex, notice_seq, side, first, second, second_terminal, second_scanned_at, seen_at)
       VALUES (@platformId, @ctiHex, @noticeSeq, @side, @first, @second, @secondTerminal, @secondScannedAt, @seenAt)
       ON CONFLICT (platform_id, cti_hex, second_terminal, second_scanned_at) DO UPDATE SET
         notice_seq = coalesce(conflicts.notice_seq, excluded.notice_seq),
         first = CASE WHEN excluded.notice_seq IS NOT NULL THEN excluded.first ELSE conflicts.first END,
         second = CASE WHEN excluded.notice_seq IS NOT NULL THEN excluded.second ELSE conflicts.second END`,
    ),
    tallyConflicts: db.prepare<[], { n: number }>('SELECT conflicts AS n FROM tally WHERE id = 1'),
    conflictsAll: db.prepare<[number], ConflictRow>(`${CONFLICT} ORDER BY id DESC LIMIT ?`),
    conflictsOf: db.prepare<[string, number], ConflictRow>(`${CONFLICT} WHERE platform_id = ? ORDER BY id DESC LIMIT ?`),
  };
}

const toEntry = <T extends { offline: number }>(r: T): Omit<T, 'offline'> & { offline: boolean } => ({ ...r, offline: r.offline === 1 });

function toConflict(r: ConflictRow): ConflictRecord {
  return { ...r, first: JSON.parse(r.first) as ConflictParty, second: JSON.parse(r.second) as ConflictParty };
}

/** The SyncLedger on the ledger's own connection; every write is one IMMEDIATE transaction. */
export class SqliteSyncLedger implements SyncLedger {
  private readonly st: ReturnType<typeof prepare>;

  constructor(
    private readonly db: Database.Database,
    private readonly guard: Guard,
  ) {
    this.st = prepare(db);
  }

  pending(platformId: string, limit: number): OutboxEntry[] {
    return this.guard('outboxPending', () => this.st.pending.all(platformId, limit), true).map(toEntry);
  }

  answer(platformId: string, answers: readonly OutboxAnswer[], at: number): number {
    const tx = this.db.transaction(() => {
      let changed = 0;
      for (const a of answers) changed += this.st.answer.run(a.state, a.result, a.detail ?? null, at, a.seq).changes;
      this.st.ensure.run(platformId);
      this.st.uploaded.run(at, at, platformId);
      return changed;
    });
    return this.guard('outboxAnswer', () => tx.immediate());
  }

  hold(seq: number, detail: string, at: number): void {
    this.guard('outboxHold', () => this.db.transaction(() => this.st.hold.run(detail, at, seq)).immediate());
  }

  releaseHeld(): number {
    return this.guard('outboxReleaseHeld', () => this.db.transaction(() => this.st.releaseHeld.run().changes).immediate());
  }

  offlineBacklog(platformId: string): { count: number; oldestAt: number | null } {
    return this.guard('offlineBacklog', () => {
      const a = this.st.offline.get(platformId);
      const b = this.st.offlineHeld.get(platformId);
      const oldest = [a?.oldest, b?.oldest].filter((x): x is number => typeof x === 'number');
      return { count: (a?.n ?? 0) + (b?.n ?? 0), oldestAt: oldest.length > 0 ? Math.min(...oldest) : null };
    }, true);
  }

  counts(platformId: string): PlatformSyncCounts {
    return this.guard('syncCounts', () => {
      const n = (state: string): number => this.st.countState.get(platformId, state)?.n ?? 0;
      const held = n('held');
      return { pending: n('pending') + held, held, rejected: n('rejected'), conflicts: this.st.countConflicts.get(platformId)?.n ?? 0 };
    }, true);
  }

  attention(opts: { platformId?: string; limit?: number } = {}): AttentionEntry[] {
    const limit = opts.limit ?? 100;
    const rows = this.guard('outboxAttention', () => (opts.platformId === undefined ? this.st.attentionAll.all(limit) : this.st.attentionOf.all(opts.platformId, limit)), true);
    return rows.map(toEntry);
  }

  state(platformId: string): SyncStateRow {
    const row = this.guard('syncState', () => this.st.state.get(platformId), true);
    return row ?? { platformId, revocationsCursor: 0, revocationsAt: null, conflictsCursor: 0, lastSyncAt: null, lastUploadAt: null, lastErrorAt: null, lastError: null };
  }

  noteContact(platformId: string, at: number, error?: string): void {
    const tx = this.db.transaction(() => {
      this.st.ensure.run(platformId);
      if (error === undefined) this.st.contact.run(at, platformId);
      else this.st.failed.run(at, error.slice(0, 1024), platformId);
    });
    this.guard('syncContact', () => tx.immediate());
  }

  addRevocations(platformId: string, items: readonly { ctiHex: string; revokedAt: number }[], cursor: number, complete: boolean, at: number): number {
    const tx = this.db.transaction(() => {
      let added = 0;
      for (const r of items) added += this.st.revocation.run(platformId, r.ctiHex, at, r.revokedAt).changes;
      this.st.ensure.run(platformId);
      this.st.revocationCursor.run(cursor, complete ? at : null, platformId);
      this.st.contact.run(at, platformId);
      return added;
    });
    return this.guard('addRevocations', () => tx.immediate());
  }

  addConflicts(platformId: string, conflicts: readonly ConflictInput[], cursor: number | undefined, at: number): number {
    const tx = this.db.transaction(() => {
      const before = this.st.tallyConflicts.get()?.n ?? 0;
      for (const c of conflicts) {
        this.st.conflict.run({
          platformId, ctiHex: c.ctiHex, noticeSeq: c.noticeSeq, side: c.side, first: JSON.stringify(c.first), second: JSON.stringify(c.second),
          secondTerminal: c.second.terminalId, secondScannedAt: c.second.scannedAt, seenAt: at,
        });
      }
      if (cursor !== undefined) {
        this.st.ensure.run(platformId);
        this.st.conflictCursor.run(cursor, platformId);
      }
      return (this.st.tallyConflicts.get()?.n ?? 0) - before;
    });
    return this.guard('addConflicts', () => tx.immediate());
  }

  conflicts(opts: { platformId?: string; limit?: number } = {}): ConflictRecord[] {
    const limit = opts.limit ?? 1000;
    const rows = this.guard('conflicts', () => (opts.platformId === undefined ? this.st.conflictsAll.all(limit) : this.st.conflictsOf.all(opts.platformId, limit)), true);
    return rows.map(toConflict);
  }
}
