/**
 * The two halves of issue 10 together: the kiosk's exporter writes its
 * ledger's redemptions of this platform's coupons to a stick, signed with the
 * terminal key the platform registered; the platform finds the batches on
 * the stick, imports them, and a second export + import continues the chain.
 * Redemptions the kiosk had already uploaded come back as duplicates.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatSerial } from '../../coupon/index.js';
import type { Ledger } from '../../device/ledger/types.js';
import { terminalSigner } from '../../sync/export/signer.js';
import { openTestLedger, removeDir, tempDir } from '../device/helpers.js';
import { input } from '../device/ledger/helpers.js';
import { MARKED, makeExporter, signersFor, stick } from '../sync/export/helpers.js';
import { findBatches } from '../../platform/batch-files.js';
import { enrollmentToken, platformKeys, startHarness, transportOf, type Harness } from './service/harness.js';
import { TestTerminal } from './service/terminal-client.js';

type Json = Record<string, unknown>;

describe('USB batches from the kiosk\'s exporter into the platform', function () {
  let h: Harness;
  let t: TestTerminal;
  let dir: string;
  let ledger: Ledger;

  before(async function () {
    h = await startHarness(this);
    await h.api('POST', '/v1/admin/merchants', { merchantId: 'shop-1' });
    await h.api('POST', '/v1/admin/merchants/shop-1/branches', { branchId: 'north' });
    t = new TestTerminal(await transportOf(h, 'inject'));
    assert.equal((await t.enroll(await enrollmentToken(h, 'shop-1', 'north'), await platformKeys(h.store))).status, 200);
    dir = tempDir('platform-usb-roundtrip-');
    ledger = openTestLedger(dir);
  });
  after(async () => {
    ledger?.close();
    if (dir) removeDir(dir);
    await h?.close();
  });

  const redeemAtKiosk = async (n: number): Promise<string[]> => {
    const iat = Math.floor(Date.now() / 1000) - 3600;
    const ctis: string[] = [];
    for (let i = 0; i < n; i++) {
      const c = (await h.api('POST', '/v1/admin/coupons', { aud: 'shop-1', sub: 'u-7', product: 'hotpot', quantity: 2, iat: new Date(iat * 1000).toISOString() })).json() as { ctiHex: string };
      ledger.redeem(input(i, {
        platformId: h.platformId, ctiHex: c.ctiHex, serial: formatSerial(Buffer.from(c.ctiHex, 'hex')), product: 'hotpot', quantity: 2, merchantId: 'shop-1', consumer: 'u-7',
        iat, exp: iat + 86400, at: Date.now() - 60_000 + i, terminalId: 'till-1',
      }));
      ctis.push(c.ctiHex);
    }
    return ctis;
  };
  const importStick = async (root: string): Promise<Json[]> => {
    const out: Json[] = [];
    for (const b of findBatches([root])) {
      const r = await h.api('POST', '/v1/admin/usb-batches', { manifest: Buffer.from(b.manifest).toString('base64'), data: readFileSync(b.dataPath!).toString('base64') });
      assert.equal(r.statusCode, 200, r.body);
      out.push(r.json());
    }
    return out;
  };

  it('exports, imports, exports the next batch and imports it after the first; uploaded ones are duplicates', async function () {
    const e = t.enrollment!;
    const signer = terminalSigner({ platformId: e.platformId, terminalId: e.terminalId, merchantId: e.merchantId, branchId: e.branchId, privateKey: t.sign.privateKey, publicKey: t.sign.publicKey, kid: t.kid });
    const first = await redeemAtKiosk(4);
    const up = await t.request('POST', '/v1/terminal/redemptions', { records: [{ kind: 'redeem', ctiHex: first[0], scannedAt: ledger.find(h.platformId, first[0]!)!.at, offline: true, product: 'hotpot', quantity: 2, consumer: 'u-7' }] });
    assert.equal((up.body['results'] as Json[])[0]!['result'], 'recorded', 'one of them reached the platform online first');
    const s = stick(dir, 'stick');
    assert.equal((await makeExporter(ledger, signersFor(signer)).run(s, MARKED)).state, 'done');
    const r1 = await importStick(s.root);
    assert.deepEqual(r1.map((r) => [r['sequence'], r['status'], r['accepted'], r['duplicates'], r['refused']]), [[1, 'imported', 3, 1, 0]]);
    await redeemAtKiosk(2);
    assert.equal((await makeExporter(ledger, signersFor(signer)).run(s, MARKED)).state, 'done');
    const r2 = await importStick(s.root);
    assert.deepEqual(r2.map((r) => [r['sequence'], r['status'], r['accepted']]), [[1, 'already-imported', 0], [2, 'imported', 2]]);
  });
});
