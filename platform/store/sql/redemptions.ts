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
  c.received_at AS "receivedAt", c.offline, c.source, c.winner_redemption_id AS "winnerId"`;

/** Conflict rows (`where` over alias c, and w for the winner) with their winning redemption. */
async function conflicts(q: Queryable, where: string, params: unknown[], after: number, limit: number): Promise<Page<Conflict>> {
  const r = await q.query<Omit<Conflict, 'winner'> & { winnerId: number }>(
    `SELECT ${CONFLICT} FROM conflicts c JOIN redemptions w ON w.redemption_id = c.winner_redemption_id
      WHERE c.seq > $1 AND ${where} ORDER BY c.seq LIMIT $2`,
    [after, limit, ...params],
  );
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

    conflictsAfter: (after, limit) => conflicts(db, 'true', [], after, limit),

    terminalConflictsAfter: (terminalId, after, limit) => conflicts(db, '(c.terminal_id = $3 OR w.terminal_id = $3)', [terminalId], after, limit),
  };
}
