/** The admin API through inject(): auth, merchants, branches, tokens, terminals, issuing; on each engine. */
import assert from 'node:assert/strict';
import { verifyCoupon, Keyring, privateKeyFromPem, merchantKeyFrom } from '../../../coupon/index.js';
import { ENGINES } from '../store/engines.js';
import { startHarness, type Harness } from './harness.js';

for (const engine of ENGINES) {
  describe(`platform admin API on ${engine.name}`, function () {
    let h: Harness;
    before(async function () {
      h = await startHarness(this, engine);
    });
    after(async () => h?.close());

    it('refuses a missing, malformed or wrong admin token with 401 and a code', async function () {
      const none = await h.api('GET', '/v1/admin/merchants', undefined, { token: null });
      assert.equal(none.statusCode, 401);
      assert.equal(none.json().code, 'ADMIN_AUTH_REQUIRED');
      const wrong = await h.api('GET', '/v1/admin/merchants', undefined, { token: 'x'.repeat(43) });
      assert.equal(wrong.json().code, 'ADMIN_TOKEN_INVALID');
      const basic = await h.api('GET', '/v1/admin/merchants', undefined, { token: null, headers: { authorization: 'Basic YWRtaW46YWRtaW4=' } });
      assert.equal(basic.json().code, 'ADMIN_TOKEN_INVALID');
    });

    it('the platform view lists its signing key and trust bundle 1', async function () {
      const r = await h.api('GET', '/v1/admin/platform');
      assert.equal(r.statusCode, 200);
      const p = r.json();
      assert.equal(p.platformId, 'test-platform');
      assert.equal(p.trustSeq, 1);
      assert.equal(p.keys.length, 1);
      assert.equal(p.keys[0].alg, 'EdDSA');
      assert.equal(p.keys[0].notAfter, null);
    });

    it('adds a merchant with defaults, shows it, changes its limits, and refuses a duplicate', async function () {
      const r = await h.api('POST', '/v1/admin/merchants', { merchantId: 'shop-00042', name: 'Hotpot' });
      assert.equal(r.statusCode, 201, r.body);
      const m = r.json();
      assert.deepEqual(m.sync, { claimMode: 'offline', claimTimeoutMs: 1500, offlineMaxCount: 200, offlineMaxAgeS: 86400, offlineMaxQuantity: 10, revocationMaxAgeS: 86400, reversalWindowS: 600 });
      assert.equal(m.keys.length, 1);
      assert.equal(m.keys[0].kind, 'x25519');
      assert.equal(m.keys[0].live, true);
      assert.ok(!JSON.stringify(m).includes('PRIVATE'), 'no private key in an admin answer');
      const dup = await h.api('POST', '/v1/admin/merchants', { merchantId: 'shop-00042' });
      assert.equal(dup.statusCode, 409);
      assert.equal(dup.json().code, 'MERCHANT_EXISTS');
      const rsa = await h.api('POST', '/v1/admin/merchants', { merchantId: 'shop-rsa', claimMode: 'online-required', keyKind: 'rsa', settings: { claimTimeoutMs: 900 } });
      assert.equal(rsa.json().keys[0].kind, 'rsa');
      assert.equal(rsa.json().sync.claimTimeoutMs, 900);
      const patched = await h.api('PATCH', '/v1/admin/merchants/shop-rsa', { claimMode: 'online-preferred', settings: { offlineMaxCount: 3 } });
      assert.equal(patched.statusCode, 200);
      assert.equal(patched.json().sync.claimMode, 'online-preferred');
      assert.equal(patched.json().sync.offlineMaxCount, 3);
      const list = await h.api('GET', '/v1/admin/merchants');
      assert.deepEqual(list.json().map((x: { merchantId: string }) => x.merchantId), ['shop-00042', 'shop-rsa']);
      assert.equal((await h.api('GET', '/v1/admin/merchants/nobody')).json().code, 'UNKNOWN_MERCHANT');
    });

    it('rotates a merchant key: the new one is current, the old one stays while its coupons live', async function () {
      const issued = await h.api('POST', '/v1/admin/coupons', { aud: 'shop-00042', sub: 'u-1', product: 'sku-1', quantity: 1 });
      assert.equal(issued.statusCode, 201, issued.body);
      const r = await h.api('POST', '/v1/admin/merchants/shop-00042/keys', {});
      assert.equal(r.statusCode, 201, r.body);
      const keys = r.json().keys as Array<{ kid: string; retiredAt: string | null; live: boolean }>;
      assert.equal(keys.length, 2);
      assert.equal(keys[0]!.retiredAt, null);
      assert.ok(keys.every((k) => k.live));
      assert.equal(keys[1]!.kid, issued.json().merchantKid);
    });

    it('branches and enrollment tokens: a token for a known branch, shown once, with the platform kid', async function () {
      assert.equal((await h.api('POST', '/v1/admin/merchants/shop-00042/branches', { branchId: 'north', name: 'North' })).statusCode, 201);
      assert.equal((await h.api('POST', '/v1/admin/merchants/shop-00042/branches', { branchId: 'north' })).json().code, 'BRANCH_EXISTS');
      assert.equal((await h.api('POST', '/v1/admin/merchants/nobody/branches', { branchId: 'x' })).json().code, 'UNKNOWN_MERCHANT');
      assert.deepEqual((await h.api('GET', '/v1/admin/merchants/shop-00042/branches')).json().map((b: { branchId: string }) => b.branchId), ['north']);
      const t = await h.api('POST', '/v1/admin/enrollment-tokens', { merchantId: 'shop-00042', branchId: 'north' });
      assert.equal(t.statusCode, 201, t.body);
      const body = t.json();
      assert.match(body.token, /^[0-9A-HJKMNP-TV-Z]{32}$/);
      assert.equal(body.platformId, 'test-platform');
      assert.match(body.platformKid, /^[0-9a-f]{16}$/);
      const ttl = Date.parse(body.expiresAt) - Date.now();
      assert.ok(ttl > 14 * 60_000 && ttl <= 15 * 60_000, `default 15 minutes, got ${ttl} ms`);
      assert.equal((await h.api('POST', '/v1/admin/enrollment-tokens', { merchantId: 'shop-00042', branchId: 'south' })).json().code, 'UNKNOWN_BRANCH');
      const long = await h.api('POST', '/v1/admin/enrollment-tokens', { merchantId: 'shop-00042', branchId: 'north', ttlSeconds: 10 ** 9 });
      assert.equal(long.statusCode, 400);
      assert.match(long.json().message, /ttlSeconds/);
    });

    it('issues a coupon that the kiosk verifier accepts with the merchant key, registered under its serial', async function () {
      const r = await h.api('POST', '/v1/admin/coupons', { aud: 'shop-rsa', sub: 'u-9', product: 'sku-9', quantity: 3, title: '火锅套餐' });
      assert.equal(r.statusCode, 201, r.body);
      const c = r.json();
      assert.match(c.text, /^2G/);
      assert.match(c.serial, /^[0-9A-Z]{4}(-[0-9A-Z]{1,4})+$/);
      const reg = await h.store.coupon(c.ctiHex);
      assert.equal(reg.quantity, 3);
      assert.equal(reg.merchantKid, c.merchantKid);
      const mk = (await h.store.merchantKeys('shop-rsa'))[0]!;
      const signer = (await h.store.validSigningKeys())[0]!;
      const keyring = new Keyring({
        merchantKeys: [merchantKeyFrom(privateKeyFromPem(mk.privatePkcs8))],
        platforms: [{ platformId: 'test-platform', merchantId: 'shop-rsa', keys: [{ kid: Buffer.from(signer.kid, 'hex'), alg: -8, publicKey: privateKeyFromPem(signer.privatePkcs8) }] }],
      });
      const v = verifyCoupon(c.text, keyring, Math.floor(Date.now() / 1000));
      assert.equal(v.ok, true, v.message);
      if (v.ok) assert.equal(v.serial, c.serial);
      const bad = await h.api('POST', '/v1/admin/coupons', { aud: 'nobody', sub: 'u', product: 'p', quantity: 1 });
      assert.equal(bad.json().code, 'UNKNOWN_MERCHANT');
      const past = await h.api('POST', '/v1/admin/coupons', { aud: 'shop-rsa', sub: 'u', product: 'p', quantity: 1, exp: '2001-01-01T00:00:00Z' });
      assert.equal(past.statusCode, 400);
      assert.equal(past.json().code, 'BAD_CLAIMS');
      const long = await h.api('POST', '/v1/admin/coupons', { aud: 'shop-rsa', sub: 'u', product: 'p', quantity: 1, title: '火'.repeat(17) });
      assert.equal(long.json().code, 'BAD_CLAIMS', 'title over 48 UTF-8 bytes');
    });

    it('lists terminals (none yet) and answers 404 for an unknown one', async function () {
      assert.deepEqual((await h.api('GET', '/v1/admin/terminals')).json(), []);
      const r = await h.api('POST', '/v1/admin/terminals/t-0123456789abcdef/disable');
      assert.equal(r.statusCode, 404);
      assert.equal(r.json().code, 'TERMINAL_NOT_FOUND');
    });

    it('lists redemptions and conflicts as pages', async function () {
      const r = await h.api('GET', '/v1/admin/redemptions?after=0&limit=10');
      assert.deepEqual(r.json(), { items: [], cursor: 0 });
      assert.deepEqual((await h.api('GET', '/v1/admin/conflicts')).json(), { items: [], cursor: 0 });
    });

    it('never logs the admin token', function () {
      assert.ok(h.logs.length > 0);
      assert.ok(!h.logs.some((l) => l.includes(h.adminToken)));
    });
  });
}
