/** Store contract, part 2: enrollment tokens, terminals, nonces, coupons, revocations; on each engine (redemptions: store-sync.test.ts). */
import assert from 'node:assert/strict';
import { ENGINES } from './engines.js';
import { ctiHex, device, tokenHash } from './fixtures.js';
import { useStoreWorld } from './world.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (const engine of ENGINES) {
  describe(`platform store on ${engine.name}: enrollment, coupons, revocations`, function () {
    const w = useStoreWorld(engine);

    it('a token enrolls one terminal of its merchant and branch, once', async function () {
      const h = tokenHash();
      await w.store.createEnrollmentToken({ sha256: h, merchantId: 'm-1', branchId: 'b-2', expiresAt: w.soon() });
      const d = device('front till');
      const t = await w.store.enrollWithToken(h, d);
      assert.match(t.terminalId, /^t-[0-9a-f]{16}$/);
      assert.equal(t.merchantId, 'm-1');
      assert.equal(t.branchId, 'b-2');
      assert.equal(t.enabled, true);
      assert.equal(t.enrolledVia, 'token');
      assert.deepEqual(Buffer.from(t.signPublic), Buffer.from(d.signPublic));
      assert.equal((await w.store.terminalBySignKid(d.signKid))?.terminalId, t.terminalId);
      await assert.rejects(w.store.enrollWithToken(h, device()), { code: 'TOKEN_USED' });
      const retried = await w.store.enrollWithToken(h, d);
      assert.equal(retried.terminalId, t.terminalId, 'the winner retrying (its answer was lost) gets its terminal again');
      assert.equal((await w.store.listTerminals('m-1')).filter((x) => x.signKid === d.signKid).length, 1);
      await assert.rejects(w.store.enrollWithToken(tokenHash(), device()), { code: 'TOKEN_UNKNOWN' });
    });

    it('an expired token is refused as expired', async function () {
      const h = tokenHash();
      await w.store.createEnrollmentToken({ sha256: h, merchantId: 'm-1', branchId: 'b-1', expiresAt: new Date(Date.now() + 300) });
      await sleep(400);
      await assert.rejects(w.store.enrollWithToken(h, device()), { code: 'TOKEN_EXPIRED' });
    });

    it('a token for an unknown branch is refused when made', async function () {
      await assert.rejects(w.store.createEnrollmentToken({ sha256: tokenHash(), merchantId: 'm-1', branchId: 'nope', expiresAt: w.soon() }), { code: 'UNKNOWN_BRANCH' });
    });

    it('a signing key enrolled before is refused, and the token stays unused', async function () {
      const d = device();
      const h1 = tokenHash();
      const h2 = tokenHash();
      await w.store.createEnrollmentToken({ sha256: h1, merchantId: 'm-1', branchId: 'b-1', expiresAt: w.soon() });
      await w.store.createEnrollmentToken({ sha256: h2, merchantId: 'm-1', branchId: 'b-1', expiresAt: w.soon() });
      await w.store.enrollWithToken(h1, d);
      await assert.rejects(w.store.enrollWithToken(h2, d), { code: 'TERMINAL_KEY_EXISTS' });
      await w.store.enrollWithToken(h2, device()); // still usable
    });

    it('ten devices racing one token: exactly one wins, the others are told it was used', async function () {
      const h = tokenHash();
      await w.store.createEnrollmentToken({ sha256: h, merchantId: 'm-1', branchId: 'b-1', expiresAt: w.soon() });
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => w.store.enrollWithToken(h, device())));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code: string }).code, 'TOKEN_USED');
    });

    it('registerTerminal (provisioning bundle), disable and enable', async function () {
      const t = await w.store.registerTerminal({ ...device(), merchantId: 'm-1', branchId: 'b-1' });
      assert.equal(t.enrolledVia, 'bundle');
      const off = await w.store.setTerminalEnabled(t.terminalId, false);
      assert.equal(off.enabled, false);
      assert.ok(off.disabledAt instanceof Date);
      const on = await w.store.setTerminalEnabled(t.terminalId, true);
      assert.equal(on.enabled, true);
      assert.equal(on.disabledAt, null);
      await assert.rejects(w.store.setTerminalEnabled('t-0000000000000000', false), { code: 'UNKNOWN_TERMINAL' });
      await assert.rejects(w.store.registerTerminal({ ...device(), merchantId: 'm-1', branchId: 'zz' }), { code: 'UNKNOWN_BRANCH' });
      assert.ok((await w.store.listTerminals('m-1')).some((x) => x.terminalId === t.terminalId));
      assert.equal((await w.store.listTerminals('m-2')).length, 0);
    });

    it('a nonce is accepted once per terminal, concurrently too; expired ones are pruned', async function () {
      const a = await w.enroll();
      const b = await w.enroll();
      await w.store.useNonce(a.terminalId, 'nonce-0123456789ab', w.soon());
      await w.store.useNonce(b.terminalId, 'nonce-0123456789ab', w.soon());
      await assert.rejects(w.store.useNonce(a.terminalId, 'nonce-0123456789ab', w.soon()), { code: 'REPLAYED_NONCE' });
      const race = await Promise.allSettled(Array.from({ length: 5 }, () => w.store.useNonce(a.terminalId, 'nonce-race-0123456', w.soon())));
      assert.equal(race.filter((r) => r.status === 'fulfilled').length, 1);
      await w.store.useNonce(a.terminalId, 'nonce-old-01234567', new Date(Date.now() - 1000));
      assert.ok((await w.store.pruneNonces()) >= 1);
    });

    it('coupons: registered once; revoked once, with a cursor per merchant', async function () {
      const c1 = await w.coupon();
      await assert.rejects(w.store.registerCoupon({ ...(await w.store.coupon(c1)) }), { code: 'COUPON_EXISTS' });
      const c2 = await w.coupon();
      const other = await w.coupon({ merchantId: 'm-2', merchantKid: (await w.store.currentMerchantKey('m-2')).kid });
      const start = (await w.store.revocationsAfter('m-1', 0, 1000)).cursor;
      const r1 = await w.store.revoke(c1, 'refund');
      await w.store.revoke(other, '');
      const r2 = await w.store.revoke(c2, 'cancelled');
      assert.ok(r2.seq > r1.seq);
      await assert.rejects(w.store.revoke(c1, ''), { code: 'ALREADY_REVOKED' });
      await assert.rejects(w.store.revoke(ctiHex(), ''), { code: 'UNKNOWN_COUPON' });
      const page1 = await w.store.revocationsAfter('m-1', start, 1);
      assert.deepEqual(page1.items.map((r) => r.ctiHex), [c1]);
      const page2 = await w.store.revocationsAfter('m-1', page1.cursor, 10);
      assert.deepEqual(page2.items.map((r) => [r.ctiHex, r.reason]), [[c2, 'cancelled']]);
      const page3 = await w.store.revocationsAfter('m-1', page2.cursor, 10);
      assert.deepEqual(page3, { items: [], cursor: page2.cursor });
    });

    it('concurrent revocations get distinct, gapless sequence numbers', async function () {
      const serials = await Promise.all(Array.from({ length: 8 }, () => w.coupon()));
      const revs = await Promise.all(serials.map((s) => w.store.revoke(s, '')));
      const seqs = revs.map((r) => r.seq).sort((a, b) => a - b);
      seqs.forEach((s, i) => assert.equal(s, seqs[0]! + i));
    });
  });
}
