/**
 * USB batch import through POST /v1/admin/usb-batches (the library function
 * behind `coupon-platform import-batch`), on each engine: the chain, re-import,
 * uploads and batches of one redemption counted once, conflicts with another
 * terminal's upload, and every tampering refused with its code.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { PlatformKey } from '../../../coupon/types.js';
import { ENGINES, type Engine } from '../store/engines.js';
import { makeBatch, redemption, type Batch, type Chain } from '../usb-batches.js';
import { enrollmentToken, platformKeys, startHarness, transportOf, type Harness } from './harness.js';
import { TestTerminal, type Transport } from './terminal-client.js';

type Json = Record<string, unknown>;

function suite(engine: Engine): void {
  describe(`USB batch import on ${engine.name}`, function () {
    let h: Harness;
    let send: Transport;
    let pinned: PlatformKey[];

    before(async function () {
      h = await startHarness(this, engine);
      send = await transportOf(h, 'inject');
      pinned = await platformKeys(h.store);
      await h.api('POST', '/v1/admin/merchants', { merchantId: 'shop-1' });
      for (const b of ['north', 'south']) await h.api('POST', '/v1/admin/merchants/shop-1/branches', { branchId: b });
    });
    after(async () => h?.close());

    const terminal = async (branch = 'north'): Promise<{ t: TestTerminal; chain: Chain }> => {
      const t = new TestTerminal(send);
      assert.equal((await t.enroll(await enrollmentToken(h, 'shop-1', branch), pinned)).status, 200);
      return { t, chain: { platformId: h.platformId, terminalId: t.enrollment!.terminalId, key: t.sign.privateKey } };
    };
    const coupons = async (n: number): Promise<string[]> => {
      const iat = new Date(Date.now() - 3600_000).toISOString();
      const out: string[] = [];
      for (let i = 0; i < n; i++) out.push((await h.api('POST', '/v1/admin/coupons', { aud: 'shop-1', sub: 'u-7', product: 'hotpot', quantity: 2, iat })).json().ctiHex);
      return out;
    };
    const records = (chain: Chain, ctis: string[], at = Date.now() - 60_000) => ctis.map((c, i) => redemption(chain, i + 1, c, at + i));
    const send64 = (b: { manifest: Uint8Array; data: Uint8Array }) => h.api('POST', '/v1/admin/usb-batches', { manifest: Buffer.from(b.manifest).toString('base64'), data: Buffer.from(b.data).toString('base64') });
    const imported = async (b: Batch): Promise<Json> => {
      const r = await send64(b);
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    };
    const refused = async (b: { manifest: Uint8Array; data: Uint8Array }, code: string, message?: RegExp): Promise<void> => {
      const r = await send64(b);
      assert.equal(r.statusCode, code === 'TERMINAL_DISABLED' ? 403 : 422, r.body);
      assert.equal(r.json().code, code, r.body);
      if (message) assert.match(r.json().message, message);
    };
    const rowsOf = async (ctis: string[]) => ((await h.api('GET', '/v1/admin/redemptions?limit=5000')).json().items as Json[]).filter((r) => ctis.includes(r['ctiHex'] as string));

    it('imports a chain in order; a re-import changes nothing; the redemptions are offline, source batch, at their scan time', async function () {
      const { chain } = await terminal();
      const ctis = await coupons(5);
      const b1 = makeBatch(chain, 1, null, records(chain, ctis.slice(0, 3)));
      const r1 = await imported(b1);
      assert.deepEqual([r1['status'], r1['sequence'], r1['count'], r1['accepted'], r1['duplicates'], r1['refused']], ['imported', 1, 3, 3, 0, 0]);
      const again = await imported(b1);
      assert.deepEqual([again['status'], again['accepted'], again['duplicates']], ['already-imported', 0, 3]);
      const b2 = makeBatch(chain, 2, b1.sha256, records(chain, ctis.slice(3)));
      assert.equal((await imported(b2))['accepted'], 2);
      const rows = await rowsOf(ctis);
      assert.equal(rows.length, 5, 'each once');
      for (const r of rows) assert.deepEqual([r['source'], r['offline'], r['terminalId']], ['batch', true, chain.terminalId]);
      const first = rows.find((r) => r['ctiHex'] === ctis[0])!;
      assert.equal(first['scannedAt'], new Date(b1.records[0]!.redeemedAt).toISOString());
      assert.equal((await imported(b1))['status'], 'already-imported', 'an older batch again, after a newer one: still nothing changes');
    });

    it('the same redemption by upload and by batch counts once; a batch conflicting with another terminal\'s upload is reported to both', async function () {
      const [{ t, chain }, other] = [await terminal('north'), await terminal('south')];
      const [mine, theirs, bad, wrong] = await coupons(4);
      const at = Date.now() - 60_000;
      const up = await t.request('POST', '/v1/terminal/redemptions', { records: [{ kind: 'redeem', ctiHex: mine, scannedAt: at, offline: true, product: 'hotpot', quantity: 2, consumer: 'u-7' }] });
      assert.equal((up.body['results'] as Json[])[0]!['result'], 'recorded');
      await other.t.request('POST', '/v1/terminal/redemptions', { records: [{ kind: 'redeem', ctiHex: theirs, scannedAt: at, offline: true, product: 'hotpot', quantity: 2, consumer: 'u-7' }] });
      const rs = [
        redemption(chain, 1, mine!, at), redemption(chain, 2, theirs!, at + 1), redemption(chain, 3, '42'.repeat(12), at + 2), redemption(chain, 4, bad!, at + 3, { product: 'tea' }),
        redemption(chain, 5, wrong!, at + 4),
      ];
      const r = await imported(makeBatch(chain, 1, null, rs));
      assert.deepEqual([r['accepted'], r['duplicates'], r['conflicts'], r['refused']], [1, 1, 1, 2]);
      const notes = r['records'] as Json[];
      assert.deepEqual(notes.map((n) => [n['n'], n['result'], n['code'] ?? null]), [[2, 'conflict', null], [3, 'unknown', null], [4, 'refused', 'COUPON_MISMATCH']]);
      assert.match(notes[0]!['message'] as string, new RegExp(other.chain.terminalId));
      assert.equal((await rowsOf([mine!])).length, 1, 'the upload and the batch of one redemption: one row');
      for (const side of [t, other.t]) {
        const s = await side.request('GET', '/v1/terminal/state?conflictsAfter=0');
        assert.ok((s.body['conflicts'] as Json[]).some((n) => n['ctiHex'] === theirs), 'both terminals see the conflict');
      }
    });

    it('refuses every tampering with its code, and records nothing of a refused batch', async function () {
      const [{ chain }, other] = [await terminal(), await terminal('south')];
      const ctis = await coupons(6);
      const rs = records(chain, ctis.slice(0, 4));
      const b1 = makeBatch(chain, 1, null, rs);
      const flipped = Buffer.from(b1.data);
      flipped[20] = flipped[20]! ^ 0x01;
      await refused({ ...b1, data: flipped }, 'DATA_ALTERED');
      await refused({ ...b1, data: makeBatch(chain, 1, null, rs.slice(0, 3)).data }, 'DATA_RECORDS_DROPPED');
      await refused({ ...b1, data: makeBatch(chain, 1, null, [...rs, redemption(chain, 5, ctis[4]!, Date.now() - 1000)]).data }, 'DATA_RECORDS_ADDED');
      await refused({ ...b1, data: makeBatch(chain, 1, null, [rs[1]!, rs[0]!, rs[2]!, rs[3]!]).data }, 'DATA_RECORDS_REORDERED');
      const manifest = Buffer.from(b1.manifest);
      manifest[manifest.length - 1] = manifest[manifest.length - 1]! ^ 0x01; // in the signature
      await refused({ ...b1, manifest }, 'MANIFEST_SIGNATURE_INVALID');
      const payload = Buffer.from(b1.manifest);
      const count = payload.indexOf('"count":4');
      payload[count + 8] = '5'.charCodeAt(0); // the signed payload says 5 records
      await refused({ ...b1, manifest: payload }, 'MANIFEST_SIGNATURE_INVALID');
      await refused(makeBatch({ ...chain, key: other.t.sign.privateKey }, 1, null, rs), 'MANIFEST_WRONG_TERMINAL', new RegExp(other.chain.terminalId));
      await refused(makeBatch({ ...chain, key: generateKeyPairSync('ed25519').privateKey }, 1, null, rs), 'MANIFEST_UNKNOWN_SIGNER', /no registered terminal/);
      await refused(makeBatch(chain, 2, b1.sha256, rs), 'BATCH_GAP', /batch 1 is missing/);
      assert.equal((await rowsOf(ctis)).length, 0, 'nothing recorded');
      assert.equal((await imported(b1))['accepted'], 4);
      await refused(makeBatch(chain, 1, null, records(chain, ctis.slice(4))), 'BATCH_REPLAYED', /batch 1 was already accepted/);
      await refused(makeBatch(chain, 2, '00'.repeat(32), records(chain, ctis.slice(4))), 'BATCH_CHAIN_BROKEN');
      await refused(makeBatch(chain, 3, b1.sha256, records(chain, ctis.slice(4))), 'BATCH_GAP');
      await refused({ ...b1, data: flipped }, 'DATA_ALTERED', undefined); // a copy of an imported batch with an altered data file
      assert.equal((await rowsOf(ctis)).length, 4);
      await h.api('POST', `/v1/admin/terminals/${chain.terminalId}/disable`);
      await refused(makeBatch(chain, 2, b1.sha256, records(chain, ctis.slice(4))), 'TERMINAL_DISABLED');
      await h.api('POST', `/v1/admin/terminals/${chain.terminalId}/enable`);
      assert.equal((await imported(makeBatch(chain, 2, b1.sha256, records(chain, ctis.slice(4)))))['accepted'], 2);
    });

    it('refuses what is not a batch, and needs the admin token', async function () {
      const r = await h.api('POST', '/v1/admin/usb-batches', { manifest: Buffer.from('hello').toString('base64'), data: 'aGVsbG8=' });
      assert.deepEqual([r.statusCode, r.json().code], [422, 'MANIFEST_MALFORMED']);
      assert.equal((await h.api('POST', '/v1/admin/usb-batches', { manifest: 'x' })).json().code, 'VALIDATION_FAILED');
      assert.equal((await h.api('POST', '/v1/admin/usb-batches', { manifest: 'x', data: 'y' }, { token: null })).json().code, 'ADMIN_AUTH_REQUIRED');
    });
  });
}

for (const engine of ENGINES) suite(engine);
