/**
 * The sync worker against the real service on loopback (PGlite, in this
 * process), through a fault proxy: every redemption reaches the platform
 * exactly once, with its original scan time, whatever the network does;
 * online, within a second of its commit; a per-record rejection is kept and
 * shown, never deleted; a record the platform cannot read is held and the
 * rest go on; each platform's entries go to that platform only.
 */
import assert from 'node:assert/strict';
import { removeDir, tempDir } from '../../device/helpers.js';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy.js';
import { startFixture, type ServiceFixture } from '../../provisioning/service-fixture.js';
import type { SyncWorker } from '../../../sync/worker.js';
import { LedgerError } from '../../../device/ledger/types.js';
import { enrolledKiosk, platformRows, redeemIssued, until, worker, type KioskSide } from './helpers.js';

describe('sync worker: uploads to the real service through a fault proxy', function () {
  this.timeout(120_000);
  let dir: string;
  let fx: ServiceFixture;
  let proxy: FaultProxy;
  let k: KioskSide;
  let w: SyncWorker | undefined;

  before(async () => {
    dir = tempDir('sync-uplink-');
    fx = await startFixture();
    await fx.merchant('shop-1');
    proxy = await startFaultProxy(fx.url);
  });
  beforeEach(async function () {
    k = await enrolledKiosk(fx, dir, `home-${this.currentTest?.title.slice(0, 12).replace(/\W/g, '-')}-${Date.now()}`, { url: proxy.url, tls: { mode: 'system' } });
    proxy.next = [];
  });
  afterEach(async () => {
    await w?.stop();
    w = undefined;
    k.ledger.close();
  });
  after(async () => {
    await proxy?.close();
    await fx?.stop();
    removeDir(dir);
  });

  it('delay, connection reset, 500, a response lost after the commit: each of 40 redemptions recorded once, with its scan time', async () => {
    const reds = [];
    for (let i = 0; i < 40; i++) reds.push(await redeemIssued(fx, k, Date.now() - 60_000 + i));
    proxy.next = [{ kind: 'delay', ms: 300 }, { kind: 'reset' }, { kind: '500' }, { kind: 'lose-response' }, { kind: 'reset' }, { kind: 'lose-response' }];
    w = worker(k, { batchRecords: 7 });
    w.start();
    await until('nothing pending', () => k.ledger.sync.counts(k.platformId).pending === 0);
    const rows = await platformRows(fx, k.terminalId);
    assert.equal(rows.size, 40);
    for (const r of reds) {
      assert.deepEqual(rows.get(r.ctiHex), [{ scannedAt: r.at, offline: true, reversed: false }], `${r.serial}: one row, the original scan time`);
    }
    assert.equal(k.ledger.sync.counts(k.platformId).rejected, 0);
    // the faults fall on uploads and pulls alike (both go through the proxy): every one of them was met
    assert.deepEqual(proxy.next, []);
    assert.ok(k.ledger.sync.state(k.platformId).lastUploadAt !== null);
  });

  it('online, a commit\'s wake sends the redemption at once, not at the next idle check (10 minutes away here)', async () => {
    w = worker(k, { idleCheckMs: 600_000 });
    w.start();
    await until('online', () => w!.status()[0]?.online === true);
    for (let i = 0; i < 3; i++) {
      const r = await redeemIssued(fx, k, Date.now());
      w.wake();
      // how fast is the bench's business (docs/benchmarks.md, Kiosk sync: one at a time); here: it came through the wake
      await until('at the platform', async () => (await platformRows(fx, k.terminalId)).has(r.ctiHex), 30_000);
    }
  });

  it('per-record rejections are kept and shown, a record the platform cannot read is held, the rest go on', async () => {
    const good = await redeemIssued(fx, k);
    const base = { platformId: k.platformId, product: 'hotpot', quantity: 2, merchantId: 'shop-1', consumer: 'u-7', iat: 1, exp: 2_000_000_000, terminalId: k.terminalId, textHash: 'ab'.repeat(32) };
    const unknown = k.ledger.redeem({ ...base, ctiHex: '00'.repeat(12), serial: 'UNKNOWN-1', at: Date.now() - 500 });
    const unreadable = k.ledger.redeem({ ...base, ctiHex: '01'.repeat(12), serial: 'LONG-1', product: 'x'.repeat(3000), at: Date.now() - 400 });
    const after = await redeemIssued(fx, k);
    assert.ok(unknown.ok && unreadable.ok);
    w = worker(k);
    w.start();
    await until('only the held one pending', () => k.ledger.sync.pending(k.platformId, 10).length === 0);
    const counts = k.ledger.sync.counts(k.platformId);
    assert.deepEqual([counts.pending, counts.held, counts.rejected], [1, 1, 1]);
    const attention = k.ledger.sync.attention({ platformId: k.platformId });
    assert.deepEqual(attention.map((a) => [a.serial, a.state, a.result]).sort(), [['LONG-1', 'held', null], ['UNKNOWN-1', 'rejected', 'unknown']]);
    assert.equal(k.ledger.find(k.platformId, '00'.repeat(12))?.upload, 'rejected', 'the rejected redemption is kept');
    const rows = await platformRows(fx, k.terminalId);
    assert.ok(rows.has(good.ctiHex) && rows.has(after.ctiHex), 'the records around the unreadable one were recorded');
    assert.equal(w.status()[0]?.held, 1);
  });

  it('a terminal the platform disabled: its uploads are refused and every entry stays pending; enabled again, each is recorded once', async () => {
    const reds = [await redeemIssued(fx, k), await redeemIssued(fx, k)];
    assert.equal((await fx.admin('POST', `/terminals/${k.terminalId}/disable`)).status, 200);
    w = worker(k);
    w.start();
    await until('the upload refused', () => /upload: REFUSED: .*TERMINAL_DISABLED|upload: .*disabled/.test(w!.status()[0]?.lastError ?? ''));
    assert.equal(w.status()[0]?.online, false);
    const counts = k.ledger.sync.counts(k.platformId);
    assert.deepEqual([counts.pending, counts.rejected, counts.held], [2, 0, 0], 'a refused request marks nothing');
    assert.equal((await platformRows(fx, k.terminalId)).size, 0);
    assert.equal((await fx.admin('POST', `/terminals/${k.terminalId}/enable`)).status, 200);
    await until('answered', () => k.ledger.sync.counts(k.platformId).pending === 0);
    const rows = await platformRows(fx, k.terminalId);
    for (const r of reds) assert.deepEqual(rows.get(r.ctiHex), [{ scannedAt: r.at, offline: true, reversed: false }], `${r.serial}: one row, the original scan time`);
    assert.deepEqual(reds.map((r) => k.ledger.find(k.platformId, r.ctiHex)?.uploadResult), ['recorded', 'recorded']);
  });

  it('a ledger the worker cannot use when it starts (locked, a full disk): it says so, tries again, and the entries go up', async () => {
    const r = await redeemIssued(fx, k);
    let refusals = 2;
    const sync = new Proxy(k.ledger.sync, {
      get: (t, prop, recv) => {
        if (prop === 'releaseHeld' && refusals > 0) {
          return () => {
            refusals--;
            throw new LedgerError('LEDGER_BUSY', 'database is locked');
          };
        }
        return Reflect.get(t, prop, recv) as unknown;
      },
    });
    const ledger = new Proxy(k.ledger, { get: (t, prop, recv) => (prop === 'sync' ? sync : Reflect.get(t, prop, recv)) as unknown });
    w = worker(k, {}, undefined, ledger);
    w.start();
    assert.deepEqual(w.platforms(), [], 'no link while the ledger refuses');
    await until('answered', () => k.ledger.find(k.platformId, r.ctiHex)?.uploadResult === 'recorded');
    assert.equal(refusals, 0);
    assert.equal(k.lines.filter((l) => String(l['msg']).startsWith('sync worker waits for the ledger')).length, 2);
  });

  it('an answer lost after the platform committed: the batch goes again, answered duplicate, one row', async () => {
    const reds = [await redeemIssued(fx, k), await redeemIssued(fx, k)];
    const { httpTransport } = await import('../../../sync/transport/http.js');
    const { TransportError } = await import('../../../sync/transport/errors.js');
    const real = httpTransport({ url: proxy.url, tls: { mode: 'system' } }, { logger: k.logger });
    let lost = 0;
    w = worker(k, {}, {
      exchange: async (req, o) => {
        const a = await real.exchange(req, o);
        if (req.method === 'POST' && lost++ === 0) throw new TransportError('UNREACHABLE', 'connection reset after the platform answered');
        return a;
      },
    });
    try {
      w.start();
      await until('answered', () => k.ledger.sync.counts(k.platformId).pending === 0);
      assert.deepEqual(reds.map((r) => k.ledger.find(k.platformId, r.ctiHex)?.uploadResult), ['duplicate', 'duplicate']);
      const rows = await platformRows(fx, k.terminalId);
      for (const r of reds) assert.equal(rows.get(r.ctiHex)?.length, 1);
    } finally {
      await w.stop();
      await real.close();
    }
  });

  it('an upload whose answer does not verify is not believed: nothing is marked, the entries go again', async () => {
    const r = await redeemIssued(fx, k);
    let tampered = 0;
    const { httpTransport } = await import('../../../sync/transport/http.js');
    const real = httpTransport({ url: proxy.url, tls: { mode: 'system' } }, { logger: k.logger });
    w = worker(k, {}, {
      exchange: async (req, o) => {
        const a = await real.exchange(req, o);
        if (req.method !== 'POST' || tampered++ > 0) return a;
        return { ...a, body: Buffer.from(Buffer.from(a.body).toString('utf8').replace('"recorded"', '"unknown"')) };
      },
    });
    try {
      w.start();
      await until('answered', () => k.ledger.sync.counts(k.platformId).pending === 0);
      assert.equal(k.ledger.find(k.platformId, r.ctiHex)?.uploadResult, 'duplicate', 'the forged "unknown" was ignored; the retry was answered duplicate');
      assert.ok(k.lines.some((l) => String(l['msg']).includes('platform answer ignored')), 'logged');
    } finally {
      await w.stop();
      await real.close();
    }
  });
});
