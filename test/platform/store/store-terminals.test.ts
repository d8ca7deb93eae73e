/** Store contract, part 2: enrollment tokens, terminals, nonces, coupons, revocations, redemptions; on each engine. */
import assert from 'node:assert/strict';
import type { NewCoupon, Store, Terminal } from '../../../platform/store/store.js';
import { ENGINES } from './engines.js';
import { ctiHex, device, fakeBundle, merchantKey, signingKey, tokenHash } from './fixtures.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (const engine of ENGINES) {
  describe(`platform store on ${engine.name}: enrollment, coupons, redemptions`, function () {
    let store: Store;
    let close: () => Promise<void>;
    let signerKid: string;
    let merchantKid: string;
    const soon = (): Date => new Date(Date.now() + 900_000);

    before(async function () {
      ({ store, close } = await engine.open(this));
      await store.initPlatform({ platformId: 'p-1', randomId: () => 'x', firstKey: signingKey, bundle: fakeBundle });
      signerKid = (await store.validSigningKeys())[0]!.kid;
      for (const m of ['m-1', 'm-2']) {
        await store.addMerchant({ merchantId: m, name: '', claimMode: 'offline', settings: {}, key: merchantKey() });
        await store.addBranch({ merchantId: m, branchId: 'b-1', name: '' });
      }
      await store.addBranch({ merchantId: 'm-1', branchId: 'b-2', name: '' });
      merchantKid = (await store.currentMerchantKey('m-1')).kid;
    });
    after(async () => close?.());

    const enroll = async (branchId = 'b-1', merchantId = 'm-1'): Promise<Terminal> => {
      const h = tokenHash();
      await store.createEnrollmentToken({ sha256: h, merchantId, branchId, expiresAt: soon() });
      return store.enrollWithToken(h, device());
    };
    const coupon = async (over: Partial<NewCoupon> = {}): Promise<string> => {
      const c: NewCoupon = { ctiHex: ctiHex(), merchantId: 'm-1', product: 'sku', quantity: 2, consumer: 'u-1', title: 'Hotpot', iat: new Date(), nbf: null, exp: soon(), merchantKid, signerKid, ...over };
      await store.registerCoupon(c);
      return c.ctiHex;
    };

    it('a token enrolls one terminal of its merchant and branch, once', async function () {
      const h = tokenHash();
      await store.createEnrollmentToken({ sha256: h, merchantId: 'm-1', branchId: 'b-2', expiresAt: soon() });
      const d = device('front till');
      const t = await store.enrollWithToken(h, d);
      assert.match(t.terminalId, /^t-[0-9a-f]{16}$/);
      assert.equal(t.merchantId, 'm-1');
      assert.equal(t.branchId, 'b-2');
      assert.equal(t.enabled, true);
      assert.equal(t.enrolledVia, 'token');
      assert.deepEqual(Buffer.from(t.signPublic), Buffer.from(d.signPublic));
      assert.equal((await store.terminalBySignKid(d.signKid))?.terminalId, t.terminalId);
      await assert.rejects(store.enrollWithToken(h, device()), { code: 'TOKEN_USED' });
      const retried = await store.enrollWithToken(h, d);
      assert.equal(retried.terminalId, t.terminalId, 'the winner retrying (its answer was lost) gets its terminal again');
      assert.equal((await store.listTerminals('m-1')).filter((x) => x.signKid === d.signKid).length, 1);
      await assert.rejects(store.enrollWithToken(tokenHash(), device()), { code: 'TOKEN_UNKNOWN' });
    });

    it('an expired token is refused as expired', async function () {
      const h = tokenHash();
      await store.createEnrollmentToken({ sha256: h, merchantId: 'm-1', branchId: 'b-1', expiresAt: new Date(Date.now() + 300) });
      await sleep(400);
      await assert.rejects(store.enrollWithToken(h, device()), { code: 'TOKEN_EXPIRED' });
    });

    it('a token for an unknown branch is refused when made', async function () {
      await assert.rejects(store.createEnrollmentToken({ sha256: tokenHash(), merchantId: 'm-1', branchId: 'nope', expiresAt: soon() }), { code: 'UNKNOWN_BRANCH' });
    });

    it('a signing key enrolled before is refused, and the token stays unused', async function () {
      const d = device();
      const h1 = tokenHash();
      const h2 = tokenHash();
      await store.createEnrollmentToken({ sha256: h1, merchantId: 'm-1', branchId: 'b-1', expiresAt: soon() });
      await store.createEnrollmentToken({ sha256: h2, merchantId: 'm-1', branchId: 'b-1', expiresAt: soon() });
      await store.enrollWithToken(h1, d);
      await assert.rejects(store.enrollWithToken(h2, d), { code: 'TERMINAL_KEY_EXISTS' });
      await store.enrollWithToken(h2, device()); // still usable
    });

    it('ten devices racing one token: exactly one wins, the others are told it was used', async function () {
      const h = tokenHash();
      await store.createEnrollmentToken({ sha256: h, merchantId: 'm-1', branchId: 'b-1', expiresAt: soon() });
      const results = await Promise.allSettled(Array.from({ length: 10 }, () => store.enrollWithToken(h, device())));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as { code: string }).code, 'TOKEN_USED');
    });

    it('registerTerminal (provisioning bundle), disable and enable', async function () {
      const t = await store.registerTerminal({ ...device(), merchantId: 'm-1', branchId: 'b-1' });
      assert.equal(t.enrolledVia, 'bundle');
      const off = await store.setTerminalEnabled(t.terminalId, false);
      assert.equal(off.enabled, false);
      assert.ok(off.disabledAt instanceof Date);
      const on = await store.setTerminalEnabled(t.terminalId, true);
      assert.equal(on.enabled, true);
      assert.equal(on.disabledAt, null);
      await assert.rejects(store.setTerminalEnabled('t-0000000000000000', false), { code: 'UNKNOWN_TERMINAL' });
      await assert.rejects(store.registerTerminal({ ...device(), merchantId: 'm-1', branchId: 'zz' }), { code: 'UNKNOWN_BRANCH' });
      assert.ok((await store.listTerminals('m-1')).some((x) => x.terminalId === t.terminalId));
      assert.equal((await store.listTerminals('m-2')).length, 0);
    });

    it('a nonce is accepted once per terminal, concurrently too; expired ones are pruned', async function () {
      const a = await enroll();
      const b = await enroll();
      await store.useNonce(a.terminalId, 'nonce-0123456789ab', soon());
      await store.useNonce(b.terminalId, 'nonce-0123456789ab', soon());
      await assert.rejects(store.useNonce(a.terminalId, 'nonce-0123456789ab', soon()), { code: 'REPLAYED_NONCE' });
      const race = await Promise.allSettled(Array.from({ length: 5 }, () => store.useNonce(a.terminalId, 'nonce-race-0123456', soon())));
      assert.equal(race.filter((r) => r.status === 'fulfilled').length, 1);
      await store.useNonce(a.terminalId, 'nonce-old-01234567', new Date(Date.now() - 1000));
      assert.ok((await store.pruneNonces()) >= 1);
    });

    it('coupons: registered once; revoked once, with a cursor per merchant', async function () {
      const c1 = await coupon();
      await assert.rejects(store.registerCoupon({ ...(await store.coupon(c1)) }), { code: 'COUPON_EXISTS' });
      const c2 = await coupon();
      const other = await coupon({ merchantId: 'm-2', merchantKid: (await store.currentMerchantKey('m-2')).kid });
      const start = (await store.revocationsAfter('m-1', 0, 1000)).cursor;
      const r1 = await store.revoke(c1, 'refund');
      await store.revoke(other, '');
      const r2 = await store.revoke(c2, 'cancelled');
      assert.ok(r2.seq > r1.seq);
      await assert.rejects(store.revoke(c1, ''), { code: 'ALREADY_REVOKED' });
      await assert.rejects(store.revoke(ctiHex(), ''), { code: 'UNKNOWN_COUPON' });
      const page1 = await store.revocationsAfter('m-1', start, 1);
      assert.deepEqual(page1.items.map((r) => r.ctiHex), [c1]);
      const page2 = await store.revocationsAfter('m-1', page1.cursor, 10);
      assert.deepEqual(page2.items.map((r) => [r.ctiHex, r.reason]), [[c2, 'cancelled']]);
      const page3 = await store.revocationsAfter('m-1', page2.cursor, 10);
      assert.deepEqual(page3, { items: [], cursor: page2.cursor });
    });

    it('concurrent revocations get distinct, gapless sequence numbers', async function () {
      const serials = await Promise.all(Array.from({ length: 8 }, () => coupon()));
      const revs = await Promise.all(serials.map((s) => store.revoke(s, '')));
      const seqs = revs.map((r) => r.seq).sort((a, b) => a - b);
      seqs.forEach((s, i) => assert.equal(s, seqs[0]! + i));
    });

    it('redemptions: the first wins; the same scan again is a duplicate; another terminal gets a conflict', async function () {
      const [a, b] = [await enroll('b-1'), await enroll('b-2')];
      const c = await coupon();
      const at = new Date(Date.now() - 60_000);
      const first = await store.recordRedemption({ ctiHex: c, terminalId: a.terminalId, scannedAt: at, offline: true, source: 'upload' });
      assert.equal(first.outcome, 'recorded');
      if (first.outcome !== 'recorded') return;
      assert.deepEqual(first.redemption.scannedAt, at);
      assert.ok(first.redemption.receivedAt > at, 'the received time is kept apart from the scan time');
      assert.equal(first.redemption.branchId, 'b-1');
      const again = await store.recordRedemption({ ctiHex: c, terminalId: a.terminalId, scannedAt: at, offline: true, source: 'batch' });
      assert.equal(again.outcome, 'duplicate');
      const lost = await store.recordRedemption({ ctiHex: c, terminalId: b.terminalId, scannedAt: new Date(), offline: true, source: 'upload' });
      assert.equal(lost.outcome, 'conflict');
      if (lost.outcome === 'conflict') assert.equal(lost.winner.terminalId, a.terminalId);
      const conflicts = await store.conflictsAfter(0, 1000);
      const mine = conflicts.items.filter((x) => x.ctiHex === c);
      assert.equal(mine.length, 1);
      assert.equal(mine[0]!.terminalId, b.terminalId);
      assert.equal(mine[0]!.winner.terminalId, a.terminalId);
      const listed = await store.redemptionsAfter(0, 1000);
      assert.equal(listed.items.filter((x) => x.ctiHex === c).length, 1);
    });

    it('redemptions: unknown coupons, another merchant\'s coupons and scans after a revocation are refused', async function () {
      const t = await enroll();
      assert.equal((await store.recordRedemption({ ctiHex: ctiHex(), terminalId: t.terminalId, scannedAt: new Date(), offline: false, source: 'claim' })).outcome, 'unknown-coupon');
      const foreign = await coupon({ merchantId: 'm-2', merchantKid: (await store.currentMerchantKey('m-2')).kid });
      assert.equal((await store.recordRedemption({ ctiHex: foreign, terminalId: t.terminalId, scannedAt: new Date(), offline: false, source: 'claim' })).outcome, 'unknown-coupon');
      const before = await coupon();
      const after = await coupon();
      const early = new Date(Date.now() - 5000);
      await store.revoke(before, '');
      await store.revoke(after, '');
      assert.equal((await store.recordRedemption({ ctiHex: before, terminalId: t.terminalId, scannedAt: early, offline: true, source: 'upload' })).outcome, 'recorded');
      assert.equal((await store.recordRedemption({ ctiHex: after, terminalId: t.terminalId, scannedAt: new Date(Date.now() + 1000), offline: true, source: 'upload' })).outcome, 'revoked');
    });

    it('eight terminals racing one coupon: exactly one recorded, seven conflicts', async function () {
      const terminals = await Promise.all(Array.from({ length: 8 }, () => enroll()));
      const c = await coupon();
      const outcomes = await Promise.all(terminals.map((t) => store.recordRedemption({ ctiHex: c, terminalId: t.terminalId, scannedAt: new Date(), offline: false, source: 'claim' })));
      assert.equal(outcomes.filter((o) => o.outcome === 'recorded').length, 1);
      assert.equal(outcomes.filter((o) => o.outcome === 'conflict').length, 7);
    });
  });
}
