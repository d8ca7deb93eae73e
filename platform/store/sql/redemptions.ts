/**
 * Redemptions and conflicts: claims and outbox records (sync.ts does the
 * work, one transaction per call, retried on a deadlock) and the listings.
 * Conflicts page by `seq`, which grows in commit order (0002_sync.sql).
 */
import { retryTransaction, type Db, type Queryable } from '../db.js';
import type { Conflict, Page, Redemption, Store } from '../store.js';
import { REDEMPTION } from './columns.js';
import { claimOne, recordAll } from './sync.js';

type RedemptionMethods = Pick<Store, 'claim' | 'recordSync' | 'redemptionsAfter' | 'conflictsAfter' | 'terminalConflictsAfter'>;

const CONFLICT = `c.conflict_id AS "conflictId", c.seq, c.cti_hex AS "ctiHex", c.terminal_id AS "terminalId", c.branch_id AS "branchId", c.scanned_at AS "scannedAt",
  c.received_at AS "receivedAt", c.offline, c.source, c.winner_redemption_id AS "winnerId", c.promoted_redemption_id IS NOT NULL AS promoted, c.reversed_at AS "reversedAt"`;

type ConflictRow = Omit<Conflict, 'winner'> & { winnerId: number };

const ALL_CONFLICTS = `SELECT ${CONFLICT} FROM conflicts c WHERE c.seq > $1 ORDER BY c.seq LIMIT $2`;

/**
 * A terminal's: those its scan lost (by conflicts_by_terminal) and those its
 * redemption won (its redemptions by their (terminal, …) key, then
 * conflicts_by_winner), each index-backed, rather than one OR over a join.
 */
const TERMINAL_CONFLICTS = `SELECT * FROM (
    SELECT ${CONFLICT} FROM conflicts c WHERE c.seq > $1 AND c.terminal_id = $3
    UNION ALL
    SELECT ${CONFLICT} FROM redemptions w JOIN conflicts c ON c.winner_redemption_id = w.redemption_id
     WHERE w.terminal_id = $3 AND c.seq > $1 AND c.terminal_id <> $3
  ) x ORDER BY seq LIMIT $2`;

/** Conflict rows with their winning redemption. */
async function conflicts(q: Queryable, sql: string, params: unknown[], after: number, limit: number): Promise<Page<Conflict>> {
  const r = await q.query<ConflictRow>(sql, [after, limit, ...params]);
  const ids = [...new Set(r.rows.map((c) => c.winnerId))];
  const winners = await q.query<Redemption>(`SELECT ${REDEMPTION} FROM redemptions WHERE redemption_id = ANY($1::bigint[])`, [ids]);
  const byId = new Map(winners.rows.map((w) => [w.redemptionId, w]));
  const items = r.rows.map(({ winnerId, ...c }) => ({ ...c, winner: byId.get(winnerId)! }));
  return { items, cursor: items[items.length - 1]?.seq ?? after };
}

export function redemptionQueries(db: Db): RedemptionMethods {
  return {
    claim: (t, facts, now) => retryTransaction(db, (tx) => claimOne(tx, t, facts, now)),

    recordSync: (t, records, source, now) => retryTransaction(db, (tx) => recordAll(tx, t, records, source, now)),

    async redemptionsAfter(after, limit) {
      const r = await db.query<Redemption>(`SELECT ${REDEMPTION} FROM redemptions WHERE redemption_id > $1 ORDER BY redemption_id LIMIT $2`, [after, limit]);
      return { items: r.rows, cursor: r.rows[r.rows.length - 1]?.redemptionId ?? after };
    },

    conflictsAfter: (after, limit) => conflicts(db, ALL_CONFLICTS, [], after, limit),

    terminalConflictsAfter: (terminalId, after, limit) => conflicts(db, TERMINAL_CONFLICTS, [terminalId], after, limit),
  };
}
