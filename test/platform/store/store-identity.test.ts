/** Store contract, part 1: identity, admin tokens, signing keys and bundles, merchants and branches; on each engine. */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Store } from '../../../platform/store/store.js';
import { ENGINES } from './engines.js';
import { ctiHex, fakeBundle, merchantKey, signingKey } from './fixtures.js';

for (const engine of ENGINES) {
  describe(`platform store on ${engine.name}: identity, keys, merchants`, function () {
    let store: Store;
    let close: () => Promise<void>;
    before(async function () {
      ({ store, close } = await engine.open(this));
    });
    after(async () => close?.());

    it('initPlatform names the platform once, makes its first key and bundle 1, and keeps the id', async function () {
      await assert.rejects(store.platformId(), { code: 'NOT_INITIALISED' });
      const first = signingKey();
      const r = await store.initPlatform({ platformId: 'meituan-01', randomId: () => 'unused', firstKey: () => first, bundle: fakeBundle });
      assert.deepEqual(r, { platformId: 'meituan-01', created: true });
      const again = await store.initPlatform({ platformId: undefined, randomId: () => 'other', firstKey: () => assert.fail('no second key'), bundle: fakeBundle });
      assert.deepEqual(again, { platformId: 'meituan-01', created: false });
      await assert.rejects(
        store.initPlatform({ platformId: 'other-02', randomId: () => 'x', firstKey: signingKey, bundle: fakeBundle }),
        { code: 'PLATFORM_ID_MISMATCH', message: /meituan-01.*other-02/ },
      );
      assert.equal(await store.platformId(), 'meituan-01');
      const bundle = await store.latestTrustBundle();
      assert.equal(bundle.seq, 1);
      assert.deepEqual(JSON.parse(Buffer.from(bundle.document).toString()), { seq: 1, kids: [first.kid] });
      assert.deepEqual((await store.validSigningKeys()).map((k) => k.kid), [first.kid]);
    });

    it('admin tokens: only the registered hash is accepted, registering twice is harmless', async function () {
      const h = createHash('sha256').update('secret-token').digest();
      await store.registerAdminToken(h, 'dir-a');
      await store.registerAdminToken(h, 'dir-a');
      assert.equal(await store.isAdminToken(h), true);
      assert.equal(await store.isAdminToken(createHash('sha256').update('guess').digest()), false);
      assert.equal(await store.isAdminToken(new Uint8Array(3)), false);
    });

    it('rotateSigningKey: old and new valid during the overlap, bundle seq+1 lists both, old gone after it', async function () {
      const before = await store.validSigningKeys();
      const next = signingKey(new Date());
      const overlapEnd = new Date(Date.now() + 3600_000);
      const bundle = await store.rotateSigningKey(next, overlapEnd, fakeBundle);
      assert.equal(bundle.seq, 2);
      const doc = JSON.parse(Buffer.from(bundle.document).toString()) as { kids: string[] };
      assert.deepEqual(new Set(doc.kids), new Set([...before.map((k) => k.kid), next.kid]));
      const now = await store.validSigningKeys();
      assert.equal(now[0]!.kid, next.kid, 'the newest key comes first: it signs new coupons');
      assert.equal(now.length, 2);
      assert.deepEqual(now.find((k) => k.kid === before[0]!.kid)!.notAfter, overlapEnd);
      const later = await store.validSigningKeys(new Date(overlapEnd.getTime() + 1));
      assert.deepEqual(later.map((k) => k.kid), [next.kid]);
      assert.equal((await store.latestTrustBundle()).seq, 2);
    });

    it('concurrent rotations each get their own bundle seq, in order', async function () {
      const seqs = await Promise.all([1, 2, 3].map(() => store.rotateSigningKey(signingKey(new Date()), new Date(Date.now() + 60_000), fakeBundle)));
      assert.deepEqual(seqs.map((b) => b.seq).sort(), [3, 4, 5]);
    });

    it('merchants: defaults a payment back end would choose, overrides, update, duplicates refused', async function () {
      const m = await store.addMerchant({ merchantId: 'shop-00042', name: 'Hotpot', claimMode: 'offline', settings: {}, key: merchantKey() });
      assert.deepEqual(m.settings, { claimTimeoutMs: 1500, offlineMaxCount: 200, offlineMaxAgeS: 86400, offlineMaxQuantity: 10, revocationMaxAgeS: 86400, reversalWindowS: 600 });
      const o = await store.addMerchant({ merchantId: 'shop-2', name: '', claimMode: 'online-required', settings: { claimTimeoutMs: 900, reversalWindowS: 60 }, key: merchantKey() });
      assert.equal(o.claimMode, 'online-required');
      assert.equal(o.settings.claimTimeoutMs, 900);
      assert.equal(o.settings.reversalWindowS, 60);
      await assert.rejects(store.addMerchant({ merchantId: 'shop-2', name: '', claimMode: 'offline', settings: {}, key: merchantKey() }), { code: 'MERCHANT_EXISTS' });
      const u = await store.updateMerchant('shop-2', { claimMode: 'online-preferred', settings: { offlineMaxCount: 5 } });
      assert.equal(u.claimMode, 'online-preferred');
      assert.equal(u.settings.offlineMaxCount, 5);
      assert.equal(u.settings.claimTimeoutMs, 900);
      await assert.rejects(store.updateMerchant('nobody', { claimMode: 'offline' }), { code: 'UNKNOWN_MERCHANT' });
      await assert.rejects(store.merchant('nobody'), { code: 'UNKNOWN_MERCHANT' });
      assert.deepEqual((await store.listMerchants()).map((x) => x.merchantId), ['shop-00042', 'shop-2']);
    });

    it('the database refuses what the schema forbids, even past the service', async function () {
      await assert.rejects(store.addMerchant({ merchantId: 'bad id!', name: '', claimMode: 'offline', settings: {}, key: merchantKey() }), { code: '23514' });
      await assert.rejects(store.updateMerchant('shop-2', { settings: { claimTimeoutMs: 1 } }), { code: '23514' });
      await assert.rejects(store.updateMerchant('shop-2', { claimMode: 'sometimes' as 'offline' }), { code: '23514' });
    });

    it('merchant keys: rotation makes the new key current; the old stays live while its coupons are unexpired', async function () {
      const first = await store.currentMerchantKey('shop-00042');
      const signer = (await store.validSigningKeys())[0]!;
      const exp = new Date(Date.now() + 86400_000);
      await store.registerCoupon({ ctiHex: ctiHex(), merchantId: 'shop-00042', product: 'p', quantity: 1, consumer: 'u', title: null, iat: new Date(), nbf: null, exp, merchantKid: first.kid, signerKid: signer.kid });
      const second = await store.rotateMerchantKey('shop-00042', merchantKey());
      assert.equal((await store.currentMerchantKey('shop-00042')).kid, second.kid);
      assert.deepEqual((await store.liveMerchantKeys('shop-00042')).map((k) => k.kid), [second.kid, first.kid]);
      const third = await store.rotateMerchantKey('shop-00042', merchantKey());
      // the second key has no coupons: once retired, no terminal needs it
      assert.deepEqual((await store.liveMerchantKeys('shop-00042')).map((k) => k.kid), [third.kid, first.kid]);
      await assert.rejects(store.rotateMerchantKey('nobody', merchantKey()), { code: 'UNKNOWN_MERCHANT' });
      await assert.rejects(store.currentMerchantKey('nobody'), { code: 'UNKNOWN_MERCHANT' });
    });

    it('concurrent merchant key rotations leave exactly one current key', async function () {
      await Promise.all([1, 2, 3, 4].map(() => store.rotateMerchantKey('shop-2', merchantKey())));
      const live = await store.liveMerchantKeys('shop-2');
      assert.equal(live.filter((k) => k.retiredAt === null).length, 1);
    });

    it('issuingContext reads the platform id, the newest signing key and the current merchant key in one go', async function () {
      const ctx = await store.issuingContext('shop-00042');
      assert.equal(ctx.platformId, 'meituan-01');
      // pg gives bytea as a Buffer, row_to_json as hex text: compare the bytes themselves
      const plain = <T extends { publicSpki: Uint8Array }>(k: T) => ({ ...k, publicSpki: [...k.publicSpki] });
      assert.deepEqual(plain(ctx.signer), plain((await store.validSigningKeys())[0]!));
      assert.deepEqual(plain(ctx.merchantKey), plain(await store.currentMerchantKey('shop-00042')));
      await assert.rejects(store.issuingContext('nobody'), { code: 'UNKNOWN_MERCHANT' });
    });

    it('branches: per merchant, duplicates and unknown merchants refused', async function () {
      const b = await store.addBranch({ merchantId: 'shop-00042', branchId: 'north', name: 'North' });
      assert.equal(b.branchId, 'north');
      await store.addBranch({ merchantId: 'shop-2', branchId: 'north', name: '' });
      await assert.rejects(store.addBranch({ merchantId: 'shop-00042', branchId: 'north', name: '' }), { code: 'BRANCH_EXISTS' });
      await assert.rejects(store.addBranch({ merchantId: 'nobody', branchId: 'x', name: '' }), { code: 'UNKNOWN_MERCHANT' });
      assert.deepEqual((await store.listBranches('shop-00042')).map((x) => x.branchId), ['north']);
    });

    it('ping answers', async function () {
      await store.ping();
    });
  });
}
