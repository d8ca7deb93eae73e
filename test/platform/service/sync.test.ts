/**
 * The sync routes as a kiosk sees them (claims, uploads, reversals,
 * conflicts in the state answer): through inject() on each engine, and the
 * same suite once over a real socket. Every answer's platform signature is
 * checked.
 */
import assert from 'node:assert/strict';
import type { PlatformKey } from '../../../coupon/types.js';
import { UPLOAD_MAX_RECORDS } from '../../../protocol/sync.js';
import { ENGINES, type Engine } from '../store/engines.js';
import { enrollmentToken, platformKeys, startHarness, transportOf, type Harness } from './harness.js';
import { TestTerminal, type Answer, type Transport } from './terminal-client.js';

type Json = Record<string, unknown>;

function refused(a: Answer, status: number, code: string): void {
  assert.equal(a.status, status, a.text);
  assert.equal(a.body['code'], code, a.text);
}

function signedOk(a: Answer): Json {
  assert.equal(a.status, 200, a.text);
  assert.equal(a.verdict.ok, true, JSON.stringify(a.verdict));
  assert.ok(Math.abs((a.body['time'] as number) - Date.now()) < 10_000, 'the platform time');
  return a.body;
}

function suite(engine: Engine, transportName: 'inject' | 'socket'): void {
  describe(`sync routes on ${engine.name} via ${transportName}`, function () {
    let h: Harness;
    let send: Transport;
    let pinned: PlatformKey[];

    before(async function () {
      h = await startHarness(this, engine);
      send = await transportOf(h, transportName);
      pinned = await platformKeys(h.store);
      await h.api('POST', '/v1/admin/merchants', { merchantId: 'shop-1', claimMode: 'online-required' });
      for (const b of ['north', 'south']) await h.api('POST', '/v1/admin/merchants/shop-1/branches', { branchId: b });
    });
    after(async () => h?.close());

    const terminal = async (branch = 'north'): Promise<TestTerminal> => {
      const t = new TestTerminal(send);
      const a = await t.enroll(await enrollmentToken(h, 'shop-1', branch), pinned);
      assert.equal(a.status, 200, a.text);
      return t;
    };
    const coupon = async (quantity = 2): Promise<{ ctiHex: string; serial: string }> => {
      const iat = new Date(Date.now() - 3600_000).toISOString();
      const r = await h.api('POST', '/v1/admin/coupons', { aud: 'shop-1', sub: 'u-7', product: 'hotpot', quantity, iat });
      assert.equal(r.statusCode, 201, r.body);
      return r.json();
    };
    const facts = (ctiHex: string, scannedAt = Date.now() - 1000) => ({ ctiHex, scannedAt, product: 'hotpot', quantity: 2, consumer: 'u-7' });
    const claim = (t: TestTerminal, body: Json) => t.request('POST', '/v1/terminal/claims', body);
    const upload = (t: TestTerminal, records: Json[]) => t.request('POST', '/v1/terminal/redemptions', { records });
    const results = (a: Answer) => signedOk(a)['results'] as Json[];

    it('claims: claimed (signed, with the platform time), repeated on a rescan, already-redeemed at another branch', async function () {
      const [a, b] = [await terminal('north'), await terminal('south')];
      const c = await coupon();
      const first = signedOk(await claim(a, facts(c.ctiHex)));
      assert.equal(first['result'], 'claimed');
      assert.equal(first['repeated'], false);
      const red = first['redemption'] as Json;
      assert.equal(red['terminalId'], a.enrollment!.terminalId);
      assert.equal(red['offline'], false);
      const again = signedOk(await claim(a, facts(c.ctiHex, Date.now())));
      assert.deepEqual([again['result'], again['repeated']], ['claimed', true], 'a kiosk that died before its commit rescans: claimed again');
      const other = signedOk(await claim(b, facts(c.ctiHex)));
      assert.equal(other['result'], 'already-redeemed');
      const firstRef = other['first'] as Json;
      assert.deepEqual([firstRef['terminalId'], firstRef['branchId']], [a.enrollment!.terminalId, 'north']);
      assert.equal(firstRef['scannedAt'], red['scannedAt']);
    });

    it('claims: unknown, revoked, refused (clock ahead, wrong facts)', async function () {
      const t = await terminal();
      assert.equal(signedOk(await claim(t, facts('00'.repeat(12))))['result'], 'unknown');
      const r = await coupon();
      await h.api('POST', '/v1/admin/revocations', { serial: r.serial });
      const rev = signedOk(await claim(t, facts(r.ctiHex)));
      assert.equal(rev['result'], 'revoked');
      assert.equal(typeof rev['revokedAt'], 'number');
      const c = await coupon();
      const ahead = signedOk(await claim(t, facts(c.ctiHex, Date.now() + 600_000)));
      assert.deepEqual([ahead['result'], ahead['code']], ['refused', 'SCAN_IN_FUTURE']);
      assert.match(ahead['message'] as string, /ahead of the platform's clock/);
      const wrong = signedOk(await claim(t, { ...facts(c.ctiHex), quantity: 9 }));
      assert.deepEqual([wrong['result'], wrong['code']], ['refused', 'COUPON_MISMATCH']);
    });

    it('uploads: one result per record in order; a retry is all duplicates; the other terminal gets a conflict', async function () {
      const [a, b] = [await terminal('north'), await terminal('south')];
      const [c1, c2, c3] = [await coupon(), await coupon(), await coupon()];
      const revoked = await coupon();
      await h.api('POST', '/v1/admin/revocations', { serial: revoked.serial });
      const scanned = Date.now() - 120_000;
      const records = [
        { kind: 'redeem', ...facts(c1.ctiHex, scanned), offline: true },
        { kind: 'redeem', ...facts(c2.ctiHex), offline: false },
        { kind: 'redeem', ...facts('11'.repeat(10)), offline: true },
        { kind: 'redeem', ...facts(revoked.ctiHex, Date.now() + 1000), offline: true },
        { kind: 'redeem', ...facts(c3.ctiHex), product: 'tea', offline: true },
      ];
      const got = results(await upload(a, records));
      assert.deepEqual(got.map((r) => r['result']), ['recorded', 'recorded', 'unknown', 'revoked', 'refused']);
      assert.deepEqual(got.map((r) => r['ctiHex']), records.map((r) => r.ctiHex), 'each result echoes its record');
      assert.equal(got[4]!['code'], 'COUPON_MISMATCH');
      assert.deepEqual(results(await upload(a, records)).map((r) => r['result']), ['duplicate', 'duplicate', 'unknown', 'revoked', 'refused'], 'sending again is safe');
      const lost = results(await upload(b, [{ kind: 'redeem', ...facts(c1.ctiHex), offline: true }]))[0]!;
      assert.equal(lost['result'], 'conflict');
      assert.deepEqual((lost['first'] as Json)['terminalId'], a.enrollment!.terminalId);
      assert.deepEqual((lost['first'] as Json)['scannedAt'], scanned);
      const listed = (await h.api('GET', '/v1/admin/redemptions?limit=5000')).json().items as Json[];
      const row = listed.find((r) => r['ctiHex'] === c1.ctiHex)!;
      assert.equal(row['scannedAt'], new Date(scanned).toISOString(), 'the scan time is kept');
      assert.notEqual(row['receivedAt'], row['scannedAt'], 'apart from the received time');
      assert.deepEqual([row['offline'], row['source']], [true, 'upload']);
      assert.equal(listed.find((r) => r['ctiHex'] === c2.ctiHex)!['offline'], false);
    });

    it('conflicts reach both terminals through the state answer, by a cursor', async function () {
      const [a, b] = [await terminal('north'), await terminal('south')];
      const state = async (t: TestTerminal, after?: number) => signedOk(await t.request('GET', `/v1/terminal/state${after === undefined ? '' : `?conflictsAfter=${after}`}`));
      assert.equal((await state(a))['conflicts'], undefined, 'only when asked');
      const none = await state(a, 0);
      assert.deepEqual([none['conflicts'], none['conflictsCursor'], none['conflictsMore']], [[], 0, false]);
      const c = await coupon();
      results(await upload(a, [{ kind: 'redeem', ...facts(c.ctiHex, Date.now() - 60_000), offline: true }]));
      results(await upload(b, [{ kind: 'redeem', ...facts(c.ctiHex), offline: true }]));
      for (const t of [a, b]) {
        const s = await state(t, 0);
        const list = s['conflicts'] as Json[];
        assert.equal(list.length, 1, 'both sides see it');
        const n = list[0]!;
        assert.equal(n['ctiHex'], c.ctiHex);
        assert.deepEqual([(n['first'] as Json)['terminalId'], (n['first'] as Json)['branchId']], [a.enrollment!.terminalId, 'north']);
        assert.deepEqual([(n['second'] as Json)['terminalId'], (n['second'] as Json)['branchId']], [b.enrollment!.terminalId, 'south']);
        assert.equal(s['conflictsCursor'], n['seq']);
        assert.deepEqual((await state(t, s['conflictsCursor'] as number))['conflicts'], [], 'nothing after the cursor');
      }
    });

    it('reversal through an upload: the coupon is free again; after the window or of another\'s redemption it is refused', async function () {
      const [a, b] = [await terminal('north'), await terminal('south')];
      const c = await coupon();
      const at = Date.now() - 30_000;
      assert.equal(signedOk(await claim(a, facts(c.ctiHex, at)))['result'], 'claimed');
      const reverse = { kind: 'reverse', ...facts(c.ctiHex, at), reversedAt: Date.now() };
      const other = results(await upload(b, [reverse]))[0]!;
      assert.deepEqual([other['result'], other['code']], ['refused', 'REDEEMED_ELSEWHERE']);
      const rescan = results(await upload(a, [{ ...reverse, scannedAt: at + 1000 }]))[0]!;
      assert.deepEqual([rescan['result'], rescan['kind']], ['recorded', 'reverse'], 'another scan time of its own live redemption: undone (a rescan after a crash)');
      assert.equal(results(await upload(a, [reverse]))[0]!['result'], 'duplicate', 'a scan of this terminal already reversed');
      assert.equal(signedOk(await claim(b, facts(c.ctiHex)))['result'], 'claimed', 'free again');
      const tooLate = results(await upload(b, [{ kind: 'reverse', ...facts(c.ctiHex, Date.now() - 601_000), reversedAt: Date.now() }]))[0]!;
      assert.deepEqual([tooLate['result'], tooLate['code']], ['refused', 'REVERSAL_WINDOW_PASSED']);
    });

    it('the merchant\'s sync settings reach the terminal in every state answer, changed at once', async function () {
      const t = await terminal();
      const settings = { claimTimeoutMs: 800, offlineMaxCount: 5, offlineMaxAgeS: 120, offlineMaxQuantity: 1, revocationMaxAgeS: 600, reversalWindowS: 60 };
      assert.equal((await h.api('PATCH', '/v1/admin/merchants/shop-1', { claimMode: 'online-preferred', settings })).statusCode, 200);
      assert.deepEqual(signedOk(await t.request('GET', '/v1/terminal/state'))['sync'], { claimMode: 'online-preferred', ...settings });
      await h.api('PATCH', '/v1/admin/merchants/shop-1', { claimMode: 'online-required', settings: { claimTimeoutMs: 1500, offlineMaxCount: 200, offlineMaxAgeS: 86400, offlineMaxQuantity: 10, revocationMaxAgeS: 86400, reversalWindowS: 600 } });
    });

    it('refuses whole requests it cannot read, and a batch over the limit, with codes', async function () {
      const t = await terminal();
      const c = await coupon();
      const rec = { kind: 'redeem', ...facts(c.ctiHex), offline: true };
      refused(await upload(t, []), 400, 'VALIDATION_FAILED');
      refused(await upload(t, Array.from({ length: UPLOAD_MAX_RECORDS + 1 }, () => rec)), 400, 'VALIDATION_FAILED');
      refused(await upload(t, [{ ...rec, colour: 'red' }]), 400, 'VALIDATION_FAILED');
      refused(await upload(t, [{ ...rec, scannedAt: 'yesterday' }]), 400, 'VALIDATION_FAILED');
      refused(await upload(t, [{ ...rec, kind: 'refund' }]), 400, 'VALIDATION_FAILED');
      refused(await claim(t, { ...facts(c.ctiHex), ctiHex: 'XYZ' }), 400, 'VALIDATION_FAILED');
      const big = { ...rec, product: 'p'.repeat(1024), consumer: 'c'.repeat(1024) };
      refused(await upload(t, Array.from({ length: UPLOAD_MAX_RECORDS }, () => big)), 413, 'BODY_TOO_LARGE');
      assert.equal(results(await upload(t, Array.from({ length: UPLOAD_MAX_RECORDS }, () => rec))).length, UPLOAD_MAX_RECORDS, 'a full batch under 1 MiB goes through');
    });

    for (const route of ['/v1/terminal/claims', '/v1/terminal/redemptions']) {
      it(`${route}: unsigned, unknown, stale, tampered and replayed requests are refused and record nothing`, async function () {
        const t = await terminal();
        const c = await coupon();
        const body = route.endsWith('claims') ? facts(c.ctiHex) : { records: [{ kind: 'redeem', ...facts(c.ctiHex), offline: true }] };
        refused(await t.request('POST', route, body, { unsigned: true }), 401, 'SIGNATURE_MISSING');
        const stranger = new TestTerminal(send);
        stranger.trusted = t.trusted;
        refused(await stranger.request('POST', route, body), 401, 'UNKNOWN_TERMINAL');
        refused(await t.request('POST', route, body, { created: Math.floor(Date.now() / 1000) - 400 }), 401, 'STALE_REQUEST');
        refused(await t.request('POST', route, body, { tamper: (b) => Buffer.from(b.toString().replace('"hotpot"', '"HOTPOT"')) }), 401, 'DIGEST_MISMATCH');
        const listed = async () => ((await h.api('GET', '/v1/admin/redemptions?limit=5000')).json().items as Json[]).filter((r) => r['ctiHex'] === c.ctiHex).length;
        assert.equal(await listed(), 0);
        const nonce = 'CCCCCCCCCCCCCCCCCCCCCC';
        assert.equal((await t.request('POST', route, body, { nonce })).status, 200);
        const replay = await t.request('POST', route, body, { nonce });
        refused(replay, 401, 'REPLAYED_REQUEST');
        assert.equal(replay.verdict.ok, true, 'the refusal is signed');
        assert.equal(await listed(), 1);
      });
    }
  });
}

for (const engine of ENGINES) suite(engine, 'inject');
suite(ENGINES[0]!, 'socket');
