/**
 * Claims, outbox records (redeem, reverse) and USB batch records: one
 * transaction per call, set-based where it can be. Who wins a coupon is
 * decided by constraints, never by a read before a write:
 * `redemptions_first_wins` (one live redemption per coupon) and
 * `redemptions_same_scan` (one row per terminal, coupon and scan time, whatever
 * route it came by). Consecutive redeem records of distinct coupons go in as
 * one multi-row INSERT … ON CONFLICT DO NOTHING, in coupon order so that two
 * transactions never wait on each other in opposite orders; what did not go in
 * is then classified (duplicate, conflict). Conflict rows are written last,
 * under an advisory lock, so their seq grows in commit order and the lock is
 * never held while waiting for a row.
 */
import type { Queryable } from '../db.js';
import type { ClaimOutcome, CouponFacts, RecordOutcome, Redemption, RedemptionSource, SyncRecord, TerminalRef } from '../store.js';
import { REDEMPTION } from './columns.js';
import { checkFacts, checkReversalTarget, checkReversalTimes, elsewhere, type IssuedCoupon } from './sync-checks.js';

const CONFLICTS_LOCK = `SELECT pg_advisory_xact_lock(hashtext('coupon-platform.conflicts'))`;
/** A row in the way may be reversed between our insert and our look: try again, a few times. */
const ATTEMPTS = 4;

type Redeem = Extract<SyncRecord, { kind: 'redeem' }>;
type Reverse = Extract<SyncRecord, { kind: 'reverse' }>;
interface Item<R> {
  index: number;
  rec: R;
}

interface PendingConflict {
  index: number;
  rec: Redeem;
  winner: Redemption;
  reversedAt?: Date;
}

interface Ctx {
  tx: Queryable;
  t: TerminalRef;
  source: RedemptionSource;
  now: Date;
  coupons: Map<string, IssuedCoupon>;
  /** claims write no conflict and are refused by any revocation */
  claim: boolean;
  outcomes: RecordOutcome[];
  /** losing scans of this call, written last (insertConflicts); `reversedAt`: a later record of the call reversed it */
  conflicts: PendingConflict[];
}

export async function loadCoupons(q: Queryable, merchantId: string, ctis: string[]): Promise<Map<string, IssuedCoupon>> {
  const r = await q.query<IssuedCoupon>(
    `SELECT c.cti_hex AS "ctiHex", c.product, c.quantity, c.consumer, c.iat, v.revoked_at AS "revokedAt"
       FROM coupons c LEFT JOIN revocations v ON v.cti_hex = c.cti_hex
      WHERE c.cti_hex = ANY($1::text[]) AND c.merchant_id = $2`,
    [[...new Set(ctis)], merchantId],
  );
  return new Map(r.rows.map((c) => [c.ctiHex, c]));
}

/** Every live redemption of these coupons, and every row of this terminal for them (reversed ones too). */
async function rowsFor(ctx: Ctx, ctis: string[]): Promise<Redemption[]> {
  const r = await ctx.tx.query<Redemption>(
    `SELECT ${REDEMPTION} FROM redemptions WHERE cti_hex = ANY($1::text[]) AND (reversed_at IS NULL OR terminal_id = $2)`,
    [ctis, ctx.t.terminalId],
  );
  return r.rows;
}

const sameScan = (rows: Redemption[], t: string, r: CouponFacts) => rows.find((x) => x.terminalId === t && x.ctiHex === r.ctiHex && x.scannedAt.getTime() === r.scannedAt.getTime());
const liveOf = (rows: Redemption[], cti: string) => rows.find((x) => x.ctiHex === cti && x.reversedAt === null);

async function insertRedeems(ctx: Ctx, items: Array<Item<Redeem>>): Promise<Map<string, Redemption>> {
  const sorted = [...items].sort((a, b) => (a.rec.ctiHex < b.rec.ctiHex ? -1 : 1));
  const r = await ctx.tx.query<Redemption>(
    `INSERT INTO redemptions (cti_hex, terminal_id, merchant_id, branch_id, scanned_at, received_at, offline, source)
     SELECT x.cti, $4, $5, $6, x.scanned, $7, x.offline, $8
       FROM unnest($1::text[], $2::timestamptz[], $3::boolean[]) WITH ORDINALITY AS x(cti, scanned, offline, ord)
      ORDER BY x.ord
     ON CONFLICT DO NOTHING RETURNING ${REDEMPTION}`,
    [sorted.map((i) => i.rec.ctiHex), sorted.map((i) => i.rec.scannedAt), sorted.map((i) => i.rec.offline), ctx.t.terminalId, ctx.t.merchantId, ctx.t.branchId, ctx.now, ctx.source],
  );
  return new Map(r.rows.map((x) => [x.ctiHex, x]));
}

/** What did not go in: the same scan (duplicate), this terminal's live one (duplicate), another's (conflict); else try again. */
function classify(ctx: Ctx, rows: Redemption[], item: Item<Redeem>): boolean {
  const { rec, index } = item;
  const same = sameScan(rows, ctx.t.terminalId, rec);
  const live = liveOf(rows, rec.ctiHex);
  if (same) ctx.outcomes[index] = { outcome: 'duplicate', redemption: same };
  else if (live && live.terminalId === ctx.t.terminalId) ctx.outcomes[index] = { outcome: 'duplicate', redemption: live };
  else if (live) {
    ctx.outcomes[index] = { outcome: 'conflict', winner: live };
    if (!ctx.claim) ctx.conflicts.push({ index, rec, winner: live });
  } else return false;
  return true;
}

/** Redeem records of distinct coupons. */
async function redeemRun(ctx: Ctx, items: Array<Item<Redeem>>): Promise<void> {
  let pending: Array<Item<Redeem>> = [];
  for (const item of items) {
    const rejected = checkFacts(item.rec, ctx.coupons.get(item.rec.ctiHex), ctx.now, ctx.claim ? 'any' : 'after-revocation');
    if (rejected) ctx.outcomes[item.index] = rejected;
    else pending.push(item);
  }
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt === ATTEMPTS) throw new Error(`redemptions of ${pending.map((p) => p.rec.ctiHex).join(', ')} neither went in nor met a row in the way`);
    const inserted = await insertRedeems(ctx, pending);
    const rest = pending.filter((p) => {
      const row = inserted.get(p.rec.ctiHex);
      if (row) ctx.outcomes[p.index] = { outcome: 'recorded', redemption: row };
      return !row;
    });
    if (rest.length === 0) return;
    const rows = await rowsFor(ctx, rest.map((p) => p.rec.ctiHex));
    pending = rest.filter((p) => !classify(ctx, rows, p));
  }
}

async function reverseOnce(ctx: Ctx, rec: Reverse, windowS: number): Promise<RecordOutcome | undefined> {
  const rows = await rowsFor(ctx, [rec.ctiHex]);
  const same = sameScan(rows, ctx.t.terminalId, rec);
  if (same && same.reversedAt !== null) return { outcome: 'duplicate', redemption: same };
  const live = liveOf(rows, rec.ctiHex);
  if (live && live.terminalId !== ctx.t.terminalId) {
    const kept = await reverseConflict(ctx, rec, live);
    return kept === 'promoted' ? undefined : (kept ?? elsewhere(rec, live));
  }
  if (live) {
    const late = checkReversalTarget(rec, live, ctx.now, windowS);
    if (late) return late;
    const r = await ctx.tx.query<Redemption>(
      `UPDATE redemptions SET reversed_at = $2, reversal_received_at = $3 WHERE redemption_id = $1 AND reversed_at IS NULL RETURNING ${REDEMPTION}`,
      [live.redemptionId, rec.reversedAt, ctx.now],
    );
    if (r.rows[0]) await promoteConflict(ctx, rec.ctiHex);
    return r.rows[0] && { outcome: 'recorded', redemption: r.rows[0] };
  }
  // nothing to undo yet: a row born reversed, so that a claim or upload of this scan arriving later never takes the coupon
  const r = await ctx.tx.query<Redemption>(
    `INSERT INTO redemptions (cti_hex, terminal_id, merchant_id, branch_id, scanned_at, received_at, offline, source, reversed_at, reversal_received_at)
     VALUES ($1, $2, $3, $4, $5, $6, false, $7, $8, $6) ON CONFLICT DO NOTHING RETURNING ${REDEMPTION}`,
    [rec.ctiHex, ctx.t.terminalId, ctx.t.merchantId, ctx.t.branchId, rec.scannedAt, ctx.now, ctx.source, rec.reversedAt],
  );
  return r.rows[0] && { outcome: 'recorded', redemption: r.rows[0] };
}

/**
 * This terminal's reversal of a scan that lost its coupon (a conflict): kept on
 * the conflict (written or still pending in this call), so that the scan is
 * never promoted when the winner is reversed; answered as the conflict it is.
 * 'promoted': the scan became the live redemption meanwhile (this update waited
 * on the promotion's row lock): the caller tries again and reverses it as such.
 * Undefined when this terminal has no such conflict (refused: the coupon is
 * another's).
 */
async function reverseConflict(ctx: Ctx, rec: Reverse, winner: Redemption): Promise<RecordOutcome | 'promoted' | undefined> {
  const pending = ctx.conflicts.find((c) => c.rec.ctiHex === rec.ctiHex && c.rec.scannedAt.getTime() === rec.scannedAt.getTime());
  if (pending) {
    pending.reversedAt ??= rec.reversedAt;
    return { outcome: 'conflict', winner: pending.winner };
  }
  const scan = [ctx.t.terminalId, rec.ctiHex, rec.scannedAt];
  const r = await ctx.tx.query(
    `UPDATE conflicts SET reversed_at = coalesce(reversed_at, $4)
      WHERE terminal_id = $1 AND cti_hex = $2 AND scanned_at = $3 AND promoted_redemption_id IS NULL RETURNING conflict_id`,
    [...scan, rec.reversedAt],
  );
  if (r.rowCount > 0) return { outcome: 'conflict', winner };
  const promoted = await ctx.tx.query(
    'SELECT 1 FROM conflicts WHERE terminal_id = $1 AND cti_hex = $2 AND scanned_at = $3 AND promoted_redemption_id IS NOT NULL',
    scan,
  );
  return promoted.rowCount > 0 ? 'promoted' : undefined;
}

/**
 * The winner of a coupon was reversed: its earliest conflict (by scan time)
 * that was not reversed becomes the live redemption, with that scan's
 * terminal, branch and times, and the coupon's other conflicts now lost to it.
 * The goods were given at that counter too; without this the coupon would be
 * free to claim a second time. One statement in the reversal's transaction:
 * the first-wins index still decides against a concurrent claim. Under the
 * conflicts lock, so that a conflict another transaction is about to write
 * against the reversed winner is either seen here or re-decided there
 * (insertConflicts). Its received_at is now: the platform, and every branch,
 * rely on it from now (the reversal window runs from there).
 */
async function promoteConflict(ctx: Ctx, cti: string): Promise<void> {
  await ctx.tx.query(CONFLICTS_LOCK, []);
  await ctx.tx.query(
    `WITH next AS (
       SELECT c.conflict_id, c.cti_hex, c.terminal_id, t.merchant_id, c.branch_id, c.scanned_at, c.received_at, c.offline, c.source
         FROM conflicts c JOIN terminals t ON t.terminal_id = c.terminal_id
        WHERE c.cti_hex = $1 AND c.promoted_redemption_id IS NULL AND c.reversed_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM redemptions x WHERE x.terminal_id = c.terminal_id AND x.cti_hex = c.cti_hex AND x.scanned_at = c.scanned_at)
        ORDER BY c.scanned_at, c.seq LIMIT 1
        FOR UPDATE OF c
     ), promoted AS (
       INSERT INTO redemptions (cti_hex, terminal_id, merchant_id, branch_id, scanned_at, received_at, offline, source)
       SELECT cti_hex, terminal_id, merchant_id, branch_id, scanned_at, $2::timestamptz, offline, source FROM next
       RETURNING redemption_id
     ), marked AS (
       UPDATE conflicts c SET promoted_redemption_id = p.redemption_id FROM next n, promoted p WHERE c.conflict_id = n.conflict_id
     )
     UPDATE conflicts c SET winner_redemption_id = p.redemption_id
       FROM next n, promoted p
      WHERE c.cti_hex = n.cti_hex AND c.conflict_id <> n.conflict_id AND c.promoted_redemption_id IS NULL AND c.reversed_at IS NULL`,
    [cti, ctx.now],
  );
}

async function reverse(ctx: Ctx, rec: Reverse, windowS: number): Promise<RecordOutcome> {
  const rejected = checkFacts(rec, ctx.coupons.get(rec.ctiHex), ctx.now, 'never') ?? checkReversalTimes(rec, ctx.now, windowS);
  if (rejected) return rejected;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const done = await reverseOnce(ctx, rec, windowS);
    if (done) return done;
  }
  throw new Error(`the reversal of ${rec.ctiHex} kept meeting a row that changed under it`);
}

/**
 * The call's losing scans, under the conflicts lock. A winner reversed (and
 * committed) since this call classified the scan means the scan did not lose
 * to a live redemption: it is decided again (recorded, or a conflict with the
 * promoted scan), so a promotion never misses it. A scan this call also
 * reversed is written as it is: reversed, never promoted.
 */
async function insertConflicts(ctx: Ctx): Promise<void> {
  while (ctx.conflicts.length > 0) {
    await ctx.tx.query(CONFLICTS_LOCK, []);
    const winners = [...new Set(ctx.conflicts.map((c) => c.winner.redemptionId))];
    const gone = new Set(
      (await ctx.tx.query<{ id: number }>('SELECT redemption_id AS id FROM redemptions WHERE redemption_id = ANY($1::bigint[]) AND reversed_at IS NOT NULL', [winners])).rows.map((r) => Number(r.id)),
    );
    const again = ctx.conflicts.filter((c) => gone.has(c.winner.redemptionId) && c.reversedAt === undefined);
    // one row per scan (the same scan sent twice in a call: its reversal, if any, kept)
    const byScan = new Map<string, PendingConflict>();
    for (const c of ctx.conflicts.filter((x) => !again.includes(x))) {
      const key = `${c.rec.ctiHex} ${c.rec.scannedAt.getTime()}`;
      const had = byScan.get(key);
      const reversedAt = c.reversedAt ?? had?.reversedAt;
      byScan.set(key, reversedAt === undefined ? c : { ...c, reversedAt });
    }
    const list = [...byScan.values()].sort((a, b) => (a.rec.ctiHex < b.rec.ctiHex ? -1 : 1));
    ctx.conflicts = [];
    if (list.length > 0) {
      await ctx.tx.query(
        `INSERT INTO conflicts (seq, cti_hex, winner_redemption_id, terminal_id, branch_id, scanned_at, received_at, offline, source, reversed_at)
         SELECT (SELECT coalesce(max(seq), 0) FROM conflicts) + x.ord, x.cti, x.winner, $6, $7, x.scanned, $8, x.offline, $9, x.reversed
           FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::boolean[], $5::timestamptz[]) WITH ORDINALITY AS x(cti, winner, scanned, offline, reversed, ord)
          ORDER BY x.ord
         ON CONFLICT ON CONSTRAINT conflicts_same_scan DO UPDATE SET reversed_at = excluded.reversed_at
          WHERE conflicts.reversed_at IS NULL AND excluded.reversed_at IS NOT NULL AND conflicts.promoted_redemption_id IS NULL`,
        [
          list.map((c) => c.rec.ctiHex), list.map((c) => c.winner.redemptionId), list.map((c) => c.rec.scannedAt), list.map((c) => c.rec.offline),
          list.map((c) => c.reversedAt ?? null), ctx.t.terminalId, ctx.t.branchId, ctx.now, ctx.source,
        ],
      );
    }
    if (again.length > 0) await redeemRun(ctx, again.map((c) => ({ index: c.index, rec: c.rec })));
  }
}

async function reversalWindow(q: Queryable, merchantId: string): Promise<number> {
  const r = await q.query<{ w: number }>('SELECT reversal_window_s AS w FROM merchants WHERE merchant_id = $1', [merchantId]);
  return r.rows[0]?.w ?? 0;
}

/** A kiosk's records in order: runs of redeems of distinct coupons set-based, each reverse on its own. */
export async function recordAll(tx: Queryable, t: TerminalRef, records: SyncRecord[], source: RedemptionSource, now: Date): Promise<RecordOutcome[]> {
  const ctx: Ctx = { tx, t, source, now, claim: false, coupons: await loadCoupons(tx, t.merchantId, records.map((r) => r.ctiHex)), outcomes: new Array<RecordOutcome>(records.length), conflicts: [] };
  const windowS = records.some((r) => r.kind === 'reverse') ? await reversalWindow(tx, t.merchantId) : 0;
  for (let i = 0; i < records.length; ) {
    const first = records[i]!;
    if (first.kind === 'reverse') {
      ctx.outcomes[i] = await reverse(ctx, first, windowS);
      i++;
      continue;
    }
    const run: Array<Item<Redeem>> = [];
    const seen = new Set<string>();
    for (let r = records[i]; r !== undefined && r.kind === 'redeem' && !seen.has(r.ctiHex); r = records[++i]) {
      seen.add(r.ctiHex);
      run.push({ index: i, rec: r });
    }
    await redeemRun(ctx, run);
  }
  await insertConflicts(ctx);
  return ctx.outcomes;
}

/** An online claim: a redeem that writes no conflict, refused by any revocation, answered as a claim. */
export async function claimOne(tx: Queryable, t: TerminalRef, facts: CouponFacts, now: Date): Promise<ClaimOutcome> {
  const ctx: Ctx = { tx, t, source: 'claim', now, claim: true, coupons: await loadCoupons(tx, t.merchantId, [facts.ctiHex]), outcomes: [], conflicts: [] };
  await redeemRun(ctx, [{ index: 0, rec: { ...facts, kind: 'redeem', offline: false } }]);
  const o = ctx.outcomes[0]!;
  switch (o.outcome) {
    case 'recorded':
      return { outcome: 'claimed', redemption: o.redemption, repeated: false };
    case 'duplicate':
      if (o.redemption.reversedAt !== null) {
        return { outcome: 'refused', code: 'SCAN_REVERSED', message: `this scan of ${facts.ctiHex} (${facts.scannedAt.toISOString()}) was reversed by this terminal: scan the coupon again` };
      }
      return { outcome: 'claimed', redemption: o.redemption, repeated: true };
    case 'conflict':
      return { outcome: 'already-redeemed', first: o.winner };
    default:
      return o;
  }
}
