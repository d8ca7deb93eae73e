/** Store contract, part 3: claims, outbox records, reversals, conflicts and the USB chain; on each engine. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { CouponFacts, RecordOutcome, SyncRecord, Terminal } from '../../../platform/store/store.js';
import { ENGINES } from './engines.js';
import { ctiHex, merchantKey } from './fixtures.js';
import { useStoreWorld } from './world.js';

const MIN = 60_000;

for (const engine of ENGINES) {
  describe(`platform store on ${engine.name}: sync`, function () {
    const w = useStoreWorld(engine);

    const facts = (cti: string, scannedAt = new Date(Date.now() - MIN)): CouponFacts => ({ ctiHex: cti, product: 'sku', quantity: 2, consumer: 'u-1', scannedAt });
    const redeem = (cti: string, scannedAt?: Date, offline = true): SyncRecord => ({ ...facts(cti, scannedAt), kind: 'redeem', offline });
    const reverse = (cti: string, scannedAt: Date, reversedAt = new Date(scannedAt.getTime() + 1000)): SyncRecord => ({ ...facts(cti, scannedAt), kind: 'reverse', reversedAt });
    const one = async (t: Terminal, r: SyncRecord, now = new Date(), source: 'upload' | 'batch' = 'upload'): Promise<RecordOutcome> => (await w.store.recordSync(t, [r], source, now))[0]!;
    const outcomes = (os: RecordOutcome[]) => os.map((o) => (o.outcome === 'refused' ? `refused ${o.code}` : o.outcome));

    it('the first recorded wins; the same scan by upload, claim or batch is one row; another terminal is a conflict', async function () {
      const [a, b] = [await w.enroll('b-1'), await w.enroll('b-2')];
      const c = await w.coupon();
      const at = new Date(Date.now() - 5 * MIN);
      const first = await one(a, redeem(c, at));
      assert.equal(first.outcome, 'recorded');
      if (first.outcome !== 'recorded') return;
      assert.deepEqual(first.redemption.scannedAt, at, 'the scan time, not the upload time');
      assert.ok(first.redemption.receivedAt > at);
      assert.equal(first.redemption.offline, true);
      assert.equal(first.redemption.branchId, 'b-1');
      assert.equal((await one(a, redeem(c, at), new Date(), 'batch')).outcome, 'duplicate');
      const claimed = await w.store.claim(a, facts(c, at), new Date());
      assert.deepEqual([claimed.outcome, claimed.outcome === 'claimed' && claimed.repeated], ['claimed', true]);
      const lost = await one(b, redeem(c));
      assert.equal(lost.outcome, 'conflict');
      if (lost.outcome === 'conflict') assert.equal(lost.winner.terminalId, a.terminalId);
      assert.equal((await one(b, redeem(c, lost.outcome === 'conflict' ? undefined : at))).outcome, 'conflict');
      const rows = (await w.store.redemptionsAfter(0, 10_000)).items.filter((x) => x.ctiHex === c);
      assert.equal(rows.length, 1);
    });

    it('refusals: unknown and another merchant\'s coupons, revoked after the scan, wrong facts, impossible times', async function () {
      const t = await w.enroll();
      const now = new Date();
      assert.equal((await one(t, redeem(ctiHex()))).outcome, 'unknown');
      assert.equal((await one(t, redeem(await w.coupon({ merchantId: 'm-2' })))).outcome, 'unknown');
      const [before, after] = [await w.coupon(), await w.coupon()];
      await w.store.revoke(before, '');
      await w.store.revoke(after, '');
      assert.equal((await one(t, redeem(before, new Date(Date.now() - 5000)))).outcome, 'recorded', 'scanned before the refund: it counts');
      const rev = await one(t, redeem(after, new Date(Date.now() + 1000)));
      assert.equal(rev.outcome, 'revoked');
      const c = await w.coupon({ iat: new Date(now.getTime() - MIN) });
      const cases: Array<[SyncRecord, string, RegExp]> = [
        [{ ...redeem(c), product: 'other' }, 'COUPON_MISMATCH', /product "other" \(issued "sku"\)/],
        [{ ...redeem(c), quantity: 3 }, 'COUPON_MISMATCH', /quantity 3 \(issued 2\)/],
        [{ ...redeem(c), consumer: 'u-2' }, 'COUPON_MISMATCH', /consumer/],
        [redeem(c, new Date(now.getTime() + 301_000)), 'SCAN_IN_FUTURE', /301 s ahead/],
        [redeem(c, new Date(now.getTime() - MIN - 301_000)), 'SCAN_BEFORE_ISSUE', /before the coupon was issued/],
      ];
      for (const [r, code, message] of cases) {
        const o = await one(t, r, now);
        assert.equal(o.outcome === 'refused' && o.code, code, JSON.stringify(o));
        assert.match(o.outcome === 'refused' ? o.message : '', message);
      }
      assert.equal((await one(t, redeem(c, new Date(now.getTime() + 299_000)), now)).outcome, 'recorded', 'within the skew');
    });

    it('claims: claimed, repeated for the same terminal, already-redeemed elsewhere (no conflict row), revoked whenever', async function () {
      const [a, b] = [await w.enroll('b-1'), await w.enroll('b-2')];
      const c = await w.coupon();
      const first = await w.store.claim(a, facts(c, new Date()), new Date());
      assert.equal(first.outcome, 'claimed');
      assert.equal(first.outcome === 'claimed' && first.repeated, false);
      assert.equal(first.outcome === 'claimed' && first.redemption.source, 'claim');
      assert.equal(first.outcome === 'claimed' && first.redemption.offline, false);
      // the kiosk died before its own commit and the coupon is scanned again: a new scan time
      const again = await w.store.claim(a, facts(c, new Date(Date.now() + 5000)), new Date());
      assert.equal(again.outcome === 'claimed' && again.repeated, true);
      const conflictsBefore = (await w.store.conflictsAfter(0, 10_000)).items.length;
      const other = await w.store.claim(b, facts(c), new Date());
      assert.equal(other.outcome, 'already-redeemed');
      assert.equal(other.outcome === 'already-redeemed' && other.first.terminalId, a.terminalId);
      assert.equal(other.outcome === 'already-redeemed' && other.first.branchId, 'b-1');
      assert.equal((await w.store.conflictsAfter(0, 10_000)).items.length, conflictsBefore, 'a refused claim is no conflict');
      const r = await w.coupon();
      await w.store.revoke(r, '');
      assert.equal((await w.store.claim(a, facts(r, new Date(Date.now() - 3600_000)), new Date())).outcome, 'revoked');
    });

    it('eight terminals racing one claim: exactly one claimed; racing one upload: one recorded, seven conflicts both sides see', async function () {
      const terminals = await Promise.all(Array.from({ length: 8 }, (_, i) => w.enroll(i % 2 ? 'b-1' : 'b-2')));
      const c = await w.coupon();
      const claims = await Promise.all(terminals.map((t) => w.store.claim(t, facts(c, new Date()), new Date())));
      assert.deepEqual(claims.map((o) => o.outcome).sort(), ['already-redeemed', ...Array<string>(6).fill('already-redeemed'), 'claimed'].sort());
      const u = await w.coupon();
      const start = (await w.store.conflictsAfter(0, 10_000)).cursor;
      const ups = await Promise.all(terminals.map((t) => one(t, redeem(u))));
      assert.equal(ups.filter((o) => o.outcome === 'recorded').length, 1);
      assert.equal(ups.filter((o) => o.outcome === 'conflict').length, 7);
      const winner = terminals[ups.findIndex((o) => o.outcome === 'recorded')]!;
      const seen = await w.store.terminalConflictsAfter(winner.terminalId, start, 100);
      assert.equal(seen.items.length, 7, 'the winner sees every conflict it is part of');
      const seqs = seen.items.map((x) => x.seq);
      assert.deepEqual(seqs, [...new Set(seqs)].sort((x, y) => x - y), 'distinct, in order');
      for (const [i, t] of terminals.entries()) {
        if (t === winner) continue;
        const mine = await w.store.terminalConflictsAfter(t.terminalId, start, 100);
        assert.deepEqual(mine.items.map((x) => [x.ctiHex, x.terminalId, x.winner.terminalId]), [[u, t.terminalId, winner.terminalId]], `loser ${i}`);
      }
      const paged = await w.store.terminalConflictsAfter(winner.terminalId, start, 3);
      assert.equal(paged.items.length, 3);
      assert.equal((await w.store.terminalConflictsAfter(winner.terminalId, paged.cursor, 100)).items.length, 4);
    });

    it('reversal: a compensating entry that frees the coupon; again is a duplicate; elsewhere, late or before the scan is refused', async function () {
      const [a, b] = [await w.enroll('b-1'), await w.enroll('b-2')];
      const c = await w.coupon();
      const at = new Date(Date.now() - MIN);
      assert.equal((await one(a, redeem(c, at))).outcome, 'recorded');
      const elsewhere = await one(b, reverse(c, at));
      assert.equal(elsewhere.outcome === 'refused' && elsewhere.code, 'REDEEMED_ELSEWHERE');
      const backwards = await one(a, reverse(c, at, new Date(at.getTime() - 1)));
      assert.equal(backwards.outcome === 'refused' && backwards.code, 'REVERSAL_BEFORE_SCAN');
      const tooLate = await one(a, reverse(c, at, new Date(at.getTime() + 601_000)), new Date(at.getTime() + 700_000));
      assert.equal(tooLate.outcome === 'refused' && tooLate.code, 'REVERSAL_WINDOW_PASSED');
      const heldTooLong = await one(a, reverse(c, at), new Date(Date.now() + 601_000));
      assert.equal(heldTooLong.outcome === 'refused' && heldTooLong.code, 'REVERSAL_WINDOW_PASSED', 'the platform has relied on it for over the window');
      const done = await one(a, reverse(c, at));
      assert.equal(done.outcome, 'recorded');
      assert.ok(done.outcome === 'recorded' && done.redemption.reversedAt && done.redemption.reversalReceivedAt);
      assert.equal((await one(a, reverse(c, at))).outcome, 'duplicate');
      assert.equal((await one(a, redeem(c, at))).outcome, 'duplicate', 'the reversed scan stays known');
      assert.equal((await one(b, redeem(c))).outcome, 'recorded', 'the coupon is free again');
      const rows = (await w.store.redemptionsAfter(0, 10_000)).items.filter((x) => x.ctiHex === c);
      assert.deepEqual(rows.map((x) => [x.terminalId, x.reversedAt !== null]), [[a.terminalId, true], [b.terminalId, false]], 'never a deletion');
    });

    it('a reversed winner hands the coupon to its earliest conflict not reversed, so no third terminal claims it; the promoted scan can be reversed in turn', async function () {
      const [a, b, c, d] = [await w.enroll('b-1'), await w.enroll('b-2'), await w.enroll('b-1'), await w.enroll('b-2')];
      const x = await w.coupon();
      const base = Date.now() - 10 * MIN;
      const t = (k: number): Date => new Date(base + k * MIN);
      assert.equal((await one(a, redeem(x, t(0)))).outcome, 'recorded');
      assert.deepEqual(outcomes([await one(b, redeem(x, t(1))), await one(c, redeem(x, t(2)))]), ['conflict', 'conflict']);
      const bBack = await one(b, reverse(x, t(1)));
      assert.equal(bBack.outcome, 'conflict', 'b reverses its own losing scan: kept on its conflict, not refused');
      assert.equal((await one(d, reverse(x, t(1)))).outcome, 'refused', 'd has no scan of it: refused as before');
      assert.equal((await one(a, reverse(x, t(0)))).outcome, 'recorded');
      const claimed = await w.store.claim(d, facts(x, t(3)), new Date());
      assert.equal(claimed.outcome, 'already-redeemed', 'the coupon was used at c: not free for d');
      if (claimed.outcome === 'already-redeemed') assert.deepEqual([claimed.first.terminalId, claimed.first.scannedAt], [c.terminalId, t(2)]);
      const live = async () => (await w.store.redemptionsAfter(0, 10_000)).items.filter((r) => r.ctiHex === x && r.reversedAt === null);
      const promoted = await live();
      assert.deepEqual(promoted.map((r) => [r.terminalId, r.branchId, r.scannedAt, r.offline]), [[c.terminalId, 'b-1', t(2), true]]);
      const conflicts = async () => (await w.store.conflictsAfter(0, 10_000)).items.filter((k) => k.ctiHex === x);
      assert.deepEqual((await conflicts()).map((k) => [k.terminalId, k.promoted, k.reversedAt !== null]), [[b.terminalId, false, true], [c.terminalId, true, false]]);
      assert.equal((await one(d, redeem(x, t(3)))).outcome, 'conflict', 'an upload of a scan at d loses to c now');
      assert.equal((await one(c, reverse(x, t(2)))).outcome, 'recorded', 'c may reverse the scan that became live');
      assert.deepEqual((await live()).map((r) => [r.terminalId, r.scannedAt]), [[d.terminalId, t(3)]], 'and d\'s scan takes it on');
      const after = await conflicts();
      assert.deepEqual(after.map((k) => [k.terminalId, k.promoted, k.winner.terminalId]), [[b.terminalId, false, a.terminalId], [c.terminalId, true, a.terminalId], [d.terminalId, true, c.terminalId]]);
      assert.equal((await one(d, reverse(x, t(3)))).outcome, 'recorded');
      assert.deepEqual(await live(), [], 'nothing left to promote: the coupon is free');
    });

    it('a claim racing the reversal of a winner that has a conflict: never free, always already-redeemed; one live row after', async function () {
      const [a, c, d] = [await w.enroll('b-1'), await w.enroll('b-2'), await w.enroll('b-1')];
      const at = new Date(Date.now() - 5 * MIN);
      for (let i = 0; i < 12; i++) {
        const x = await w.coupon();
        assert.equal((await one(a, redeem(x, at))).outcome, 'recorded');
        assert.equal((await one(c, redeem(x, new Date(at.getTime() + 1000)))).outcome, 'conflict');
        // on PostgreSQL the two run on two connections of the pool, at once
        const [back, claimed] = await Promise.all([one(a, reverse(x, at)), w.store.claim(d, facts(x, new Date(Date.now() - 1000)), new Date())]);
        assert.equal(back.outcome, 'recorded');
        assert.equal(claimed.outcome, 'already-redeemed', `round ${i}: the coupon was free for a moment`);
        const live = (await w.store.redemptionsAfter(0, 100_000)).items.filter((r) => r.ctiHex === x && r.reversedAt === null);
        assert.deepEqual(live.map((r) => r.terminalId), [c.terminalId], `round ${i}`);
      }
    });

    it('a losing scan reversed in the same upload as its redeem is kept reversed and never promoted', async function () {
      const [a, b, c] = [await w.enroll('b-1'), await w.enroll('b-2'), await w.enroll('b-1')];
      const x = await w.coupon();
      const at = new Date(Date.now() - 5 * MIN);
      assert.equal((await one(a, redeem(x, at))).outcome, 'recorded');
      const bScan = new Date(at.getTime() + 1000);
      const both = await w.store.recordSync(b, [redeem(x, bScan), reverse(x, bScan)], 'upload', new Date());
      assert.deepEqual(outcomes(both), ['conflict', 'conflict'], 'the refund of a losing scan, uploaded with it');
      assert.equal((await one(c, redeem(x, new Date(at.getTime() + 2000)))).outcome, 'conflict');
      const reversedAt = new Date();
      assert.equal((await one(a, reverse(x, at))).outcome, 'recorded');
      const live = (await w.store.redemptionsAfter(0, 100_000)).items.filter((r) => r.ctiHex === x && r.reversedAt === null);
      assert.deepEqual(live.map((r) => r.terminalId), [c.terminalId], 'b\'s refunded scan is skipped; c\'s takes the coupon');
      assert.ok(live[0]!.receivedAt >= new Date(reversedAt.getTime() - 1000), 'relied on from its promotion: the reversal window runs from there');
      const ks = (await w.store.conflictsAfter(0, 100_000)).items.filter((k) => k.ctiHex === x);
      assert.deepEqual(ks.map((k) => [k.terminalId, k.promoted, k.reversedAt !== null]), [[b.terminalId, false, true], [c.terminalId, true, false]]);
      // an upload whose answer was lost, sent again with the refund made meanwhile: the stored conflict takes the refund
      const y = await w.coupon();
      assert.equal((await one(a, redeem(y, at))).outcome, 'recorded');
      assert.equal((await one(b, redeem(y, bScan))).outcome, 'conflict');
      assert.deepEqual(outcomes(await w.store.recordSync(b, [redeem(y, bScan), reverse(y, bScan)], 'upload', new Date())), ['conflict', 'conflict']);
      assert.equal((await one(a, reverse(y, at))).outcome, 'recorded');
      assert.deepEqual((await w.store.redemptionsAfter(0, 100_000)).items.filter((r) => r.ctiHex === y && r.reversedAt === null), [], 'b refunded its scan: nothing to promote');
    });

    if (engine.name === 'postgres') {
      describe('races on PostgreSQL (several connections)', function () {
        let blocker: pg.Client;
        beforeEach(async () => {
          blocker = new pg.Client({ connectionString: w.url });
          await blocker.connect();
        });
        afterEach(async () => blocker.end());
        const lockWaiters = async (): Promise<number> =>
          (await blocker.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)).rowCount ?? 0;
        const until = async (what: string, check: () => Promise<boolean>): Promise<void> => {
          for (const end = Date.now() + 30_000; !(await check()); ) {
            if (Date.now() > end) throw new Error(`waited 30 s for ${what}`);
            await new Promise((r) => setTimeout(r, 10));
          }
        };
        const liveOf = async (x: string) => (await w.store.redemptionsAfter(0, 100_000)).items.filter((r) => r.ctiHex === x && r.reversedAt === null).map((r) => r.terminalId);

        it('a conflict written while the winner\'s reversal commits is promoted: the reversal waits for it (the conflicts lock)', async function () {
          const [a, f, d] = [await w.enroll('b-1'), await w.enroll('b-2'), await w.enroll('b-1')];
          const x = await w.coupon();
          const at = new Date(Date.now() - 5 * MIN);
          assert.equal((await one(a, redeem(x, at))).outcome, 'recorded');
          await blocker.query('BEGIN');
          await blocker.query(`SELECT pg_advisory_xact_lock(hashtext('coupon-platform.conflicts'))`);
          // f decides "conflict with a" and waits to write it; then a's reversal runs up to its promotion
          const upload = one(f, redeem(x, new Date(at.getTime() + 1000)));
          await until('the upload to wait on the conflicts lock', async () => (await lockWaiters()) === 1);
          const reversal = one(a, reverse(x, at));
          await until('the reversal to wait on it too', async () => (await lockWaiters()) === 2);
          await blocker.query('ROLLBACK');
          const [u, r] = await Promise.all([upload, reversal]);
          assert.deepEqual([u.outcome, r.outcome], ['conflict', 'recorded']);
          assert.deepEqual(await liveOf(x), [f.terminalId], 'f gave the goods: the coupon is f\'s now, not free');
          assert.equal((await w.store.claim(d, facts(x, new Date(Date.now() - 1000)), new Date())).outcome, 'already-redeemed');
        });

        it('uploads, the winner\'s reversal and the losers\' own reversals at once: never refused, never free while a loser stands', async function () {
          const [a, f, c] = [await w.enroll('b-1'), await w.enroll('b-2'), await w.enroll('b-1')];
          const at = new Date(Date.now() - 5 * MIN);
          for (let round = 0; round < 10; round++) {
            const x = await w.coupon();
            const filler = await Promise.all(Array.from({ length: 40 }, () => w.coupon()));
            assert.equal((await one(a, redeem(x, at))).outcome, 'recorded');
            const cScan = new Date(at.getTime() + 2000);
            assert.equal((await one(c, redeem(x, cScan))).outcome, 'conflict');
            // f's scan is decided early in a long upload; a reverses; c refunds its own losing scan
            const [up, back, cBack] = await Promise.all([
              w.store.recordSync(f, [redeem(x, new Date(at.getTime() + 1000)), ...filler.map((y) => redeem(y, at))], 'upload', new Date()),
              one(a, reverse(x, at)),
              one(c, reverse(x, cScan)),
            ]);
            const where = `round ${round}: ${JSON.stringify([up[0], back.outcome, cBack])}`;
            assert.equal(back.outcome, 'recorded', where);
            assert.ok(cBack.outcome === 'conflict' || cBack.outcome === 'recorded', `c's refund is kept or reverses its promoted scan, never refused (${where})`);
            assert.ok(up[0]!.outcome === 'conflict' || up[0]!.outcome === 'recorded', where);
            assert.deepEqual(await liveOf(x), [f.terminalId], `f's scan stands whatever the order (${where})`);
          }
        });
      });
    }

    it('reversal: window 0 turns it off; a reversal before its redemption leaves the scan reversed; a release frees a claim after a crash', async function () {
      await w.store.addMerchant({ merchantId: 'm-0', name: '', claimMode: 'offline', settings: { reversalWindowS: 0 }, key: merchantKey() });
      await w.store.addBranch({ merchantId: 'm-0', branchId: 'b-1', name: '' });
      const z = await w.enroll('b-1', 'm-0');
      const zc = await w.coupon({ merchantId: 'm-0' });
      const off = await one(z, reverse(zc, new Date(Date.now() - 1000)));
      assert.equal(off.outcome === 'refused' && off.code, 'REVERSAL_WINDOW_PASSED');

      const [a, b] = [await w.enroll('b-1'), await w.enroll('b-2')];
      const c = await w.coupon();
      const at = new Date(Date.now() - 2000);
      assert.equal((await one(a, reverse(c, at))).outcome, 'recorded', 'nothing to undo yet: kept as a reversed scan');
      const late = await w.store.claim(a, facts(c, at), new Date());
      assert.equal(late.outcome === 'refused' && late.code, 'SCAN_REVERSED', 'the late claim of that scan never takes the coupon');
      assert.equal((await one(a, redeem(c, at))).outcome, 'duplicate');
      assert.equal((await one(b, redeem(c))).outcome, 'recorded', 'the coupon stayed free');

      const d = await w.coupon();
      const t0 = new Date(Date.now() - 3000);
      assert.equal((await w.store.claim(a, facts(d, t0), new Date())).outcome, 'claimed');
      const t1 = new Date(Date.now() - 1000);
      assert.equal((await w.store.claim(a, facts(d, t1), new Date())).outcome, 'claimed', 'rescan after a crash');
      assert.equal((await one(a, reverse(d, t1))).outcome, 'recorded', 'the release undoes this terminal\'s live claim');
      assert.equal((await w.store.claim(b, facts(d), new Date())).outcome, 'claimed');
    });

    it('one batch in order: redeem, reverse, redeem again of one coupon; many coupons at once', async function () {
      const t = await w.enroll();
      const c = await w.coupon();
      const [t0, t1] = [new Date(Date.now() - 5000), new Date(Date.now() - 1000)];
      const others = await Promise.all(Array.from({ length: 50 }, () => w.coupon()));
      const records = [redeem(c, t0), ...others.map((o) => redeem(o)), reverse(c, t0), redeem(c, t1), redeem(others[0]!)];
      const got = outcomes(await w.store.recordSync(t, records, 'upload', new Date()));
      assert.deepEqual(got, ['recorded', ...Array<string>(50).fill('recorded'), 'recorded', 'recorded', 'duplicate']);
      assert.deepEqual(outcomes(await w.store.recordSync(t, records, 'upload', new Date())), ['duplicate', ...Array<string>(50).fill('duplicate'), 'duplicate', 'duplicate', 'duplicate'], 'the whole batch again changes nothing');
    });

    it('USB chain: next batch only, a re-import changes nothing, a gap, a fork or another manifest of one number is refused', async function () {
      const [t, u] = [await w.enroll(), await w.enroll('b-2')];
      const h = () => randomBytes(32);
      const [m1, m2] = [h(), h()];
      const c = await w.coupon();
      const at = new Date(Date.now() - MIN);
      assert.deepEqual(await w.store.usbChainHead(t.terminalId), { seq: 0, manifestSha256: null });
      const first = await w.store.importUsbBatch(t, { seq: 1, manifestSha256: m1, prevManifestSha256: null, dataSha256: h() }, [redeem(c, at)], new Date());
      assert.ok(first.imported);
      assert.deepEqual(first.imported && outcomes(first.outcomes), ['recorded']);
      assert.equal(first.batch.accepted, 1);
      assert.equal((await one(t, redeem(c, at))).outcome, 'duplicate', 'the upload of the same redemption counts once');
      const again = await w.store.importUsbBatch(t, { seq: 1, manifestSha256: m1, prevManifestSha256: null, dataSha256: h() }, [redeem(c, at)], new Date());
      assert.equal(again.imported, false);
      await assert.rejects(w.store.importUsbBatch(t, { seq: 1, manifestSha256: h(), prevManifestSha256: null, dataSha256: h() }, [], new Date()), { code: 'BATCH_REPLAYED' });
      await assert.rejects(w.store.importUsbBatch(t, { seq: 3, manifestSha256: h(), prevManifestSha256: m2, dataSha256: h() }, [], new Date()), { code: 'BATCH_CHAIN_BROKEN' });
      await assert.rejects(w.store.importUsbBatch(t, { seq: 2, manifestSha256: m2, prevManifestSha256: h(), dataSha256: h() }, [], new Date()), { code: 'BATCH_CHAIN_BROKEN' });
      await assert.rejects(w.store.importUsbBatch(u, { seq: 2, manifestSha256: m2, prevManifestSha256: m1, dataSha256: h() }, [], new Date()), { code: 'BATCH_CHAIN_BROKEN' }, 'another terminal\'s chain');
      const d = await w.coupon();
      await one(u, redeem(d));
      const second = await w.store.importUsbBatch(t, { seq: 2, manifestSha256: m2, prevManifestSha256: m1, dataSha256: h() }, [redeem(d)], new Date());
      assert.deepEqual(second.imported && outcomes(second.outcomes), ['conflict'], 'a batch conflicting with another terminal\'s upload');
      assert.equal(second.batch.conflicts, 1);
      assert.equal((await w.store.usbChainHead(t.terminalId)).seq, 2);
      assert.deepEqual((await w.store.usbBatchByManifest(m2))?.seq, 2);
    });
  });
}
