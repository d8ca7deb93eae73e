/**
 * Redemptions and conflicts. The partial unique index
 * `redemptions_first_wins` decides which scan of a coupon counts; the
 * unique `redemptions_same_scan` makes the same scan idempotent whether it
 * arrives by claim, upload or USB batch.
 */
import type { Db, Queryable } from '../db.js';
import type { Conflict, NewRedemption, Redemption, RedemptionOutcome, Store } from '../store.js';
import { REDEMPTION } from './columns.js';

async function liveRedemption(q: Queryable, ctiHex: string): Promise<Redemption | undefined> {
  return (await q.query<Redemption>(`SELECT ${REDEMPTION} FROM redemptions WHERE cti_hex = $1 AND reversed_at IS NULL`, [ctiHex])).rows[0];
}

async function sameScan(q: Queryable, r: NewRedemption): Promise<Redemption | undefined> {
  return (await q.query<Redemption>(
    `SELECT ${REDEMPTION} FROM redemptions WHERE terminal_id = $1 AND cti_hex = $2 AND scanned_at = $3`,
    [r.terminalId, r.ctiHex, r.scannedAt],
  )).rows[0];
}

async function record(tx: Queryable, r: NewRedemption): Promise<RedemptionOutcome> {
  const coupon = await tx.query<{ revokedAt: Date | null }>(
    `SELECT v.revoked_at AS "revokedAt" FROM coupons c JOIN terminals t ON t.merchant_id = c.merchant_id AND t.terminal_id = $2
       LEFT JOIN revocations v ON v.cti_hex = c.cti_hex WHERE c.cti_hex = $1`,
    [r.ctiHex, r.terminalId],
  );
  const found = coupon.rows[0];
  if (!found) return { outcome: 'unknown-coupon' };
  // a scan before the revocation was a valid redemption; one after it is refused
  if (found.revokedAt !== null && found.revokedAt <= r.scannedAt) return { outcome: 'revoked', revokedAt: found.revokedAt };
  const ins = await tx.query<Redemption>(
    `INSERT INTO redemptions (cti_hex, terminal_id, merchant_id, branch_id, scanned_at, offline, source)
     SELECT $1, terminal_id, merchant_id, branch_id, $3, $4, $5 FROM terminals WHERE terminal_id = $2
     ON CONFLICT DO NOTHING RETURNING ${REDEMPTION}`,
    [r.ctiHex, r.terminalId, r.scannedAt, r.offline, r.source],
  );
  if (ins.rows[0]) return { outcome: 'recorded', redemption: ins.rows[0] };
  const same = await sameScan(tx, r);
  if (same) return { outcome: 'duplicate', redemption: same };
  const winner = await liveRedemption(tx, r.ctiHex);
  if (!winner) return { outcome: 'unknown-coupon' }; // not reached: the insert conflicted with one of the two
  if (winner.terminalId === r.terminalId) return { outcome: 'duplicate', redemption: winner };
  await tx.query(
    `INSERT INTO conflicts (cti_hex, winner_redemption_id, terminal_id, branch_id, scanned_at, offline, source)
     SELECT $1, $2, terminal_id, branch_id, $4, $5, $6 FROM terminals WHERE terminal_id = $3 ON CONFLICT DO NOTHING`,
    [r.ctiHex, winner.redemptionId, r.terminalId, r.scannedAt, r.offline, r.source],
  );
  return { outcome: 'conflict', winner };
}

type RedemptionMethods = Pick<Store, 'recordRedemption' | 'redemptionsAfter' | 'conflictsAfter'>;

export function redemptionQueries(db: Db): RedemptionMethods {
  return {
    recordRedemption: (r) => db.transaction((tx) => record(tx, r)),

    async redemptionsAfter(after, limit) {
      const r = await db.query<Redemption>(`SELECT ${REDEMPTION} FROM redemptions WHERE redemption_id > $1 ORDER BY redemption_id LIMIT $2`, [after, limit]);
      return { items: r.rows, cursor: r.rows[r.rows.length - 1]?.redemptionId ?? after };
    },

    async conflictsAfter(after, limit) {
      const r = await db.query<Omit<Conflict, 'winner'> & { winnerId: number }>(
        `SELECT conflict_id AS "conflictId", cti_hex AS "ctiHex", terminal_id AS "terminalId", branch_id AS "branchId", scanned_at AS "scannedAt",
                received_at AS "receivedAt", offline, source, winner_redemption_id AS "winnerId"
           FROM conflicts WHERE conflict_id > $1 ORDER BY conflict_id LIMIT $2`,
        [after, limit],
      );
      const ids = [...new Set(r.rows.map((c) => c.winnerId))];
      const winners = await db.query<Redemption>(`SELECT ${REDEMPTION} FROM redemptions WHERE redemption_id = ANY($1::bigint[])`, [ids]);
      const byId = new Map(winners.rows.map((w) => [w.redemptionId, w]));
      const items = r.rows.map(({ winnerId, ...c }) => ({ ...c, winner: byId.get(winnerId)! }));
      return { items, cursor: items[items.length - 1]?.conflictId ?? after };
    },
  };
}
