/**
 * Enrollment and the terminal routes as a kiosk sees them: through inject()
 * on each engine, and the same suite once over a real socket.
 */
import assert from 'node:assert/strict';
import { Keyring, kidOf, toHex, verifyCoupon } from '../../../coupon/index.js';
import type { PlatformKey } from '../../../coupon/types.js';
import { ENROLLMENT_CONTENT_TYPE, decodeEnrollment } from '../../../protocol/documents.js';
import { openWithPassphrase } from '../../../protocol/passphrase.js';
import { PROVISIONING_KEYS_CONTENT_TYPE, decodeProvisioningKeys, readProvisioningBundle } from '../../../protocol/provisioning-bundle.js';
import { verifyDocument } from '../../../protocol/signed-document.js';
import { ENGINES, type Engine } from '../store/engines.js';
import { enrollmentToken, platformKeys, startHarness, transportOf, type Harness } from './harness.js';
import { TestTerminal, type Answer, type Transport } from './terminal-client.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function refused(a: Answer, status: number, code: string): void {
  assert.equal(a.status, status, a.text);
  assert.equal(a.body['code'], code, a.text);
}

function suite(engine: Engine, transportName: 'inject' | 'socket'): void {
  describe(`terminal protocol on ${engine.name} via ${transportName}`, function () {
    let h: Harness;
    let send: Transport;
    let pinned: PlatformKey[];
    const terminal = (): TestTerminal => new TestTerminal(send);

    before(async function () {
      h = await startHarness(this, engine);
      send = await transportOf(h, transportName);
      pinned = await platformKeys(h.store);
      await h.api('POST', '/v1/admin/merchants', { merchantId: 'shop-1', claimMode: 'online-preferred' });
      await h.api('POST', '/v1/admin/merchants/shop-1/branches', { branchId: 'north' });
    });
    after(async () => h?.close());

    it('enrolls: signed answer, enrollment document, trust bundle, merchant keys that decrypt the merchant\'s coupons', async function () {
      const t = terminal();
      const a = await t.enroll(await enrollmentToken(h, 'shop-1', 'north'), pinned);
      assert.equal(a.status, 200, a.text);
      assert.equal(a.verdict.ok, true, JSON.stringify(a.verdict));
      assert.ok(Math.abs((a.body['time'] as number) - Date.now()) < 10_000);
      const e = t.enrollment!;
      assert.equal(e.platformId, 'test-platform');
      assert.equal(e.merchantId, 'shop-1');
      assert.equal(e.branchId, 'north');
      assert.match(e.terminalId, /^t-[0-9a-f]{16}$/);
      assert.equal(e.terminalKid, t.kid);
      assert.equal(e.wrapKid, toHex(kidOf(t.wrap.publicKey)));
      assert.equal((e.sync as { claimMode: string }).claimMode, 'online-preferred');
      assert.equal(t.bundle!.seq, 1);
      assert.equal(t.merchantKeys.length, 1);
      const coupon = await h.api('POST', '/v1/admin/coupons', { aud: 'shop-1', sub: 'u', product: 'p', quantity: 1 });
      const keyring = new Keyring({ merchantKeys: t.merchantKeys, platforms: [{ platformId: 'test-platform', merchantId: 'shop-1', keys: [...t.trusted.values()] }] });
      const v = verifyCoupon(coupon.json().text, keyring, Math.floor(Date.now() / 1000));
      assert.equal(v.ok, true, v.message);
      const listed = (await h.api('GET', '/v1/admin/terminals?merchantId=shop-1')).json() as Array<{ terminalId: string; signKid: string }>;
      assert.ok(listed.some((x) => x.terminalId === e.terminalId && x.signKid === t.kid));
    });

    it('a used token is refused (409 TOKEN_USED), but the winner retrying gets its enrollment again', async function () {
      const token = await enrollmentToken(h, 'shop-1', 'north');
      const winner = terminal();
      assert.equal((await winner.enroll(token, pinned)).status, 200);
      refused(await terminal().enroll(token, pinned), 409, 'TOKEN_USED');
      const first = winner.enrollment!.terminalId;
      const again = await winner.enroll(token, pinned);
      assert.equal(again.status, 200, again.text);
      assert.equal(winner.enrollment!.terminalId, first);
    });

    it('unknown (401) and expired (410) tokens have their own codes', async function () {
      refused(await terminal().enroll('A'.repeat(32), pinned), 401, 'TOKEN_UNKNOWN');
      const token = await enrollmentToken(h, 'shop-1', 'north', 1);
      await sleep(1100);
      refused(await terminal().enroll(token, pinned), 410, 'TOKEN_EXPIRED');
    });

    it('ten devices racing one token: exactly one is enrolled', async function () {
      const token = await enrollmentToken(h, 'shop-1', 'north');
      const answers = await Promise.all(Array.from({ length: 10 }, () => terminal().enroll(token, pinned)));
      assert.equal(answers.filter((a) => a.status === 200).length, 1, answers.map((a) => a.status).join(','));
      for (const a of answers) if (a.status !== 200) refused(a, 409, 'TOKEN_USED');
    });

    it('an enrollment not signed by its own terminal key is refused and consumes nothing', async function () {
      const token = await enrollmentToken(h, 'shop-1', 'north');
      const t = terminal();
      refused(await t.request('POST', '/v1/enroll', t.enrollBody(token), { unsigned: true }), 401, 'SIGNATURE_MISSING');
      const other = terminal();
      refused(await other.request('POST', '/v1/enroll', t.enrollBody(token)), 401, 'SIGNATURE_INVALID');
      refused(await t.request('POST', '/v1/enroll', t.enrollBody(token), { tamper: (b) => Buffer.from(b.toString().replace('till 1', 'till 2')) }), 401, 'DIGEST_MISMATCH');
      refused(await t.request('POST', '/v1/enroll', t.enrollBody(token), { created: Math.floor(Date.now() / 1000) - 3600 }), 401, 'STALE_REQUEST');
      assert.equal((await t.enroll(token, pinned)).status, 200, 'the token is still unused');
    });

    it('state: time, sync settings, no bundle when current, merchant keys the terminal lacks sealed to its wrap key', async function () {
      const t = terminal();
      await t.enroll(await enrollmentToken(h, 'shop-1', 'north'), pinned);
      const held = t.merchantKeys.map((k) => toHex(k.kid)).join(',');
      const a = await t.request('GET', `/v1/terminal/state?trustSeq=1&merchantKids=${held}`);
      assert.equal(a.status, 200, a.text);
      assert.equal(a.verdict.ok, true, JSON.stringify(a.verdict));
      assert.equal(a.body['enabled'], true);
      assert.equal(a.body['trustSeq'], 1);
      assert.equal(a.body['trust'], undefined);
      assert.equal(a.body['merchantKeys'], undefined);
      assert.deepEqual(a.body['merchantKids'], t.merchantKeys.map((k) => toHex(k.kid)));
      // a merchant key rotation: the new key reaches the terminal wrapped to its wrap key
      await h.api('POST', '/v1/admin/merchants/shop-1/keys', {});
      const b = await t.request('GET', `/v1/terminal/state?trustSeq=1&merchantKids=${held}`);
      const delivered = t.openKeys(b.body['merchantKeys'] as string, t.wrap.privateKey);
      assert.equal(delivered.length, 1);
      assert.notEqual(toHex(delivered[0]!.kid), held);
      assert.ok((b.body['merchantKids'] as string[]).includes(toHex(delivered[0]!.kid)));
      const old = await t.request('GET', '/v1/terminal/state?trustSeq=0');
      assert.ok(typeof old.body['trust'] === 'string', 'an older bundle number gets the newest bundle');
    });

    it('refuses unsigned, unknown, stale and replayed requests; every refusal of a parsed signature is signed', async function () {
      const t = terminal();
      await t.enroll(await enrollmentToken(h, 'shop-1', 'north'), pinned);
      const unsigned = await t.request('GET', '/v1/terminal/state', undefined, { unsigned: true });
      refused(unsigned, 401, 'SIGNATURE_MISSING');
      assert.equal(unsigned.verdict.ok, false, 'nothing to bind an answer to');
      const stranger = terminal();
      stranger.trusted = t.trusted;
      const unknown = await stranger.request('GET', '/v1/terminal/state');
      refused(unknown, 401, 'UNKNOWN_TERMINAL');
      assert.equal(unknown.verdict.ok, true, 'the refusal is signed');
      t.skewS = -301;
      const stale = await t.request('GET', '/v1/terminal/state');
      refused(stale, 401, 'STALE_REQUEST');
      assert.equal(stale.verdict.ok, true);
      t.skewS = 0;
      const nonce = 'AAAAAAAAAAAAAAAAAAAAAA';
      assert.equal((await t.request('GET', '/v1/terminal/state', undefined, { nonce })).status, 200);
      const replay = await t.request('GET', '/v1/terminal/state', undefined, { nonce });
      refused(replay, 401, 'REPLAYED_REQUEST');
      assert.equal(replay.verdict.ok, true);
    });

    it('a path the platform does not have: authenticated first (401 unsigned), then a signed 404 the kiosk can believe', async function () {
      const t = terminal();
      await t.enroll(await enrollmentToken(h, 'shop-1', 'north'), pinned);
      const missing = await t.request('GET', '/v1/terminal/no-such-thing?x=1');
      refused(missing, 404, 'NOT_FOUND');
      assert.equal(missing.verdict.ok, true, 'signed: not a forged "not here"');
      refused(await t.request('POST', '/v1/terminal/no-such-thing', { a: 1 }), 404, 'NOT_FOUND');
      const unsigned = await t.request('GET', '/v1/terminal/no-such-thing', undefined, { unsigned: true });
      refused(unsigned, 401, 'SIGNATURE_MISSING');
      const stranger = terminal();
      stranger.trusted = t.trusted;
      refused(await stranger.request('GET', '/v1/terminal/no-such-thing'), 401, 'UNKNOWN_TERMINAL');
    });

    it('a disabled terminal gets a signed 403 TERMINAL_DISABLED until it is enabled again', async function () {
      const t = terminal();
      await t.enroll(await enrollmentToken(h, 'shop-1', 'north'), pinned);
      const id = t.enrollment!.terminalId;
      assert.equal((await h.api('POST', `/v1/admin/terminals/${id}/disable`)).json().enabled, false);
      const a = await t.request('GET', '/v1/terminal/state');
      refused(a, 403, 'TERMINAL_DISABLED');
      assert.equal(a.verdict.ok, true, 'a forged "disabled" cannot pass: this one is signed');
      await h.api('POST', `/v1/admin/terminals/${id}/enable`);
      assert.equal((await t.request('GET', '/v1/terminal/state')).status, 200);
    });

    it('revocations: only this merchant\'s, in cursor order, with `more` when the limit cut the list', async function () {
      const t = terminal();
      await t.enroll(await enrollmentToken(h, 'shop-1', 'north'), pinned);
      const start = (await t.request('GET', '/v1/terminal/revocations')).body['cursor'] as number;
      await h.api('POST', '/v1/admin/merchants', { merchantId: 'shop-2' });
      const serials: string[] = [];
      for (const aud of ['shop-1', 'shop-2', 'shop-1', 'shop-1']) {
        const c = (await h.api('POST', '/v1/admin/coupons', { aud, sub: 'u', product: 'p', quantity: 1 })).json() as { serial: string; ctiHex: string };
        const r = await h.api('POST', '/v1/admin/revocations', { serial: c.serial, reason: 'refund' });
        assert.equal(r.statusCode, 201, r.body);
        if (aud === 'shop-1') serials.push(c.ctiHex);
      }
      const p1 = await t.request('GET', `/v1/terminal/revocations?after=${start}&limit=2`);
      assert.equal(p1.verdict.ok, true);
      const items1 = p1.body['revocations'] as Array<{ ctiHex: string; seq: number; revokedAt: number }>;
      assert.deepEqual(items1.map((r) => r.ctiHex), serials.slice(0, 2));
      assert.equal(p1.body['more'], true);
      const p2 = await t.request('GET', `/v1/terminal/revocations?after=${p1.body['cursor'] as number}&limit=2`);
      assert.deepEqual((p2.body['revocations'] as Array<{ ctiHex: string }>).map((r) => r.ctiHex), serials.slice(2));
      assert.equal(p2.body['more'], false);
      refused(await t.request('GET', '/v1/terminal/revocations?limit=99999'), 400, 'VALIDATION_FAILED');
    });

    it('a coupon revoked twice or unknown, and a malformed serial, are refused with codes', async function () {
      const c = (await h.api('POST', '/v1/admin/coupons', { aud: 'shop-1', sub: 'u', product: 'p', quantity: 1 })).json() as { serial: string };
      assert.equal((await h.api('POST', '/v1/admin/revocations', { serial: c.serial.toLowerCase() })).statusCode, 201, 'the serial as people type it');
      assert.equal((await h.api('POST', '/v1/admin/revocations', { serial: c.serial })).json().code, 'ALREADY_REVOKED');
      assert.equal((await h.api('POST', '/v1/admin/revocations', { serial: '0000-0000-0000-0000' })).json().code, 'UNKNOWN_COUPON');
      const bad = await h.api('POST', '/v1/admin/revocations', { serial: 'UUUU-UUUU-UUUU-UUUU' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().code, 'BAD_SERIAL');
    });

    it('platform key rotation: bundle seq 2 signed by the old key, coupons from both keys verify during the overlap, answers signed by both', async function () {
      const t = terminal();
      await t.enroll(await enrollmentToken(h, 'shop-1', 'north'), pinned);
      const before = (await h.api('POST', '/v1/admin/coupons', { aud: 'shop-1', sub: 'u', product: 'p', quantity: 1 })).json() as { text: string; signerKid: string };
      const r = await h.api('POST', '/v1/admin/keys/rotate', { overlapSeconds: 3600 });
      assert.equal(r.statusCode, 201, r.body);
      const seq = r.json().trustSeq as number;
      const state = await t.request('GET', `/v1/terminal/state?trustSeq=${t.bundle!.seq}`);
      assert.equal(state.verdict.ok, true);
      assert.ok(state.verdict.ok);
      if (state.verdict.ok) {
        assert.deepEqual(state.verdict.signedBy, [before.signerKid], 'verified with the key the terminal trusts');
        assert.equal(state.verdict.ignored.length, 1, 'and signed by the new key, not trusted yet');
      }
      const opened = t.openBundle(Buffer.from(state.body['trust'] as string, 'base64')); // verified with the old key only
      assert.equal(opened.bundle.seq, seq);
      assert.equal(opened.keys.length, 2);
      const oldEntry = opened.bundle.keys.find((k) => k.kid === before.signerKid)!;
      assert.ok(oldEntry.notAfter! > Date.now() + 3500_000 && oldEntry.notAfter! <= Date.now() + 3600_000);
      const after = (await h.api('POST', '/v1/admin/coupons', { aud: 'shop-1', sub: 'u', product: 'p', quantity: 1 })).json() as { text: string; signerKid: string };
      assert.notEqual(after.signerKid, before.signerKid, 'new coupons are signed with the new key');
      const keyring = new Keyring({ merchantKeys: t.merchantKeys, platforms: [{ platformId: 'test-platform', merchantId: 'shop-1', keys: opened.keys }] });
      const now = Math.floor(Date.now() / 1000);
      for (const c of [before, after]) assert.equal(verifyCoupon(c.text, keyring, now).ok, true);
      const late = verifyCoupon(before.text, keyring, now + 3601);
      assert.equal(late.reason, 'UNKNOWN_PLATFORM_KEY', 'the old key is refused after the overlap');
      assert.equal(verifyCoupon(after.text, keyring, now + 3601).ok, true);
    });

    it('an offline provisioning bundle: registered terminal, keys sealed under the passphrase, usable at once', async function () {
      const passphrase = 'correct horse battery staple';
      assert.equal((await h.api('POST', '/v1/admin/bundles', { merchantId: 'shop-1', branchId: 'north', passphrase: 'short' })).json().code, 'WEAK_PASSPHRASE');
      assert.equal((await h.api('POST', '/v1/admin/bundles', { merchantId: 'shop-1', branchId: 'south', passphrase })).json().code, 'UNKNOWN_BRANCH');
      const r = await h.api('POST', '/v1/admin/bundles', { merchantId: 'shop-1', branchId: 'north', name: 'back till', passphrase });
      assert.equal(r.statusCode, 201, r.body);
      const file = readProvisioningBundle(r.body);
      assert.ok(file.ok, file.ok ? '' : file.message);
      if (!file.ok) return;
      assert.ok(!r.body.includes('PRIVATE KEY'));
      assert.equal((await openWithPassphrase(file.value.keys, 'wrong passphrase!!', PROVISIONING_KEYS_CONTENT_TYPE)).ok, false);
      const opened = await openWithPassphrase(file.value.keys, passphrase, PROVISIONING_KEYS_CONTENT_TYPE);
      assert.ok(opened.ok);
      if (!opened.ok) return;
      const keys = decodeProvisioningKeys(opened.plaintext);
      assert.ok(keys.ok, keys.ok ? '' : keys.message);
      if (!keys.ok) return;
      const t = new TestTerminal(send, { sign: keys.value.terminalKey, wrap: keys.value.wrapKey });
      for (const k of pinned) t.trusted.set(toHex(k.kid), k);
      t.openBundle(Buffer.from(file.value.trust, 'base64'));
      const doc = verifyDocument(Buffer.from(file.value.enrollment, 'base64'), ENROLLMENT_CONTENT_TYPE, (kid) => t.trusted.get(kid));
      assert.ok(doc.ok);
      const e = doc.ok ? decodeEnrollment(doc.payload) : undefined;
      assert.ok(e?.ok);
      if (!e?.ok) return;
      assert.equal(e.enrollment.terminalId, file.value.terminalId);
      assert.equal(e.enrollment.terminalKid, t.kid);
      assert.equal(e.enrollment.wrapKid, toHex(kidOf(t.wrap.publicKey)));
      assert.deepEqual(keys.value.merchantKeys.map((k) => toHex(k.kid)), (await h.store.liveMerchantKeys('shop-1')).map((k) => k.kid));
      const state = await t.request('GET', '/v1/terminal/state');
      assert.equal(state.status, 200, state.text);
      assert.equal(state.body['terminalId'], file.value.terminalId);
      const listed = (await h.api('GET', `/v1/admin/terminals/${file.value.terminalId}`)).json();
      assert.equal(listed.enrolledVia, 'bundle');
      assert.equal(listed.name, 'back till');
    });
  });
}

for (const engine of ENGINES) suite(engine, 'inject');
suite(ENGINES[0]!, 'socket');
