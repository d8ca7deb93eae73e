/**
 * The downlink against the real service: revocations, time and conflicts
 * arrive while every upload fails; a forged state or revocation answer is
 * ignored and logged (nothing of it applied, the trusted time untouched);
 * conflicts reach both terminals; the link works over TLS with a
 * self-signed certificate pinned at enrollment.
 */
import assert from 'node:assert/strict';
import { spkiPin } from '../../../protocol/setup-code.js';
import { httpTransport } from '../../../sync/transport/http.js';
import { TransportError } from '../../../sync/transport/errors.js';
import type { SyncWorker } from '../../../sync/worker.js';
import { removeDir, tempDir } from '../../device/helpers.js';
import { selfSigned, startFixture, type ServiceFixture } from '../../provisioning/service-fixture.js';
import { enrolledKiosk, platformRows, redeemIssued, until, worker, type KioskSide } from './helpers.js';

describe('sync worker: downloads, forgeries, conflicts, TLS (real service)', function () {
  this.timeout(120_000);
  let dir: string;
  let fx: ServiceFixture;
  const kiosks: KioskSide[] = [];
  const workers: SyncWorker[] = [];
  const closers: (() => Promise<void>)[] = [];
  const endpoint = () => ({ url: fx.url, tls: { mode: 'system' as const } });
  const kiosk = async (name: string) => {
    const k = await enrolledKiosk(fx, dir, name, endpoint());
    kiosks.push(k);
    return k;
  };
  const track = (w: SyncWorker) => (workers.push(w), w);

  before(async () => {
    dir = tempDir('sync-downlink-');
    fx = await startFixture();
    await fx.merchant('shop-1');
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
    await Promise.all(closers.splice(0).map((c) => c()));
    for (const k of kiosks.splice(0)) k.ledger.close();
  });
  after(async () => {
    await fx?.stop();
    removeDir(dir);
  });

  /** the real transport, with uploads failing and GET answers passed through `edit` */
  const rigged = (k: KioskSide, edit: (path: string, body: string) => string = (_p, b) => b) => {
    const real = httpTransport(endpoint(), { logger: k.logger });
    closers.push(() => real.close());
    return {
      exchange: async (req: Parameters<typeof real.exchange>[0], o: Parameters<typeof real.exchange>[1]) => {
        if (req.method === 'POST') throw new TransportError('UNREACHABLE', 'uploads are down');
        const a = await real.exchange(req, o);
        return { ...a, body: Buffer.from(edit(req.path, Buffer.from(a.body).toString('utf8'))) };
      },
    };
  };

  it('revocations, time and conflicts arrive while every upload fails', async () => {
    const k = await kiosk('revoke');
    const pending = await redeemIssued(fx, k);
    const iat = new Date(Date.now() - 3600_000).toISOString();
    const c = await fx.admin('POST', '/coupons', { aud: 'shop-1', sub: 'u-7', product: 'hotpot', quantity: 2, iat });
    assert.equal((await fx.admin('POST', '/revocations', { serial: c.body['serial'] })).status, 201);
    const before = k.ledger.trustedTime();
    const w = track(worker(k, {}, rigged(k)));
    w.start();
    await until('revoked locally', () => k.ledger.isRevoked(k.platformId, c.body['ctiHex'] as string));
    assert.equal(k.ledger.sync.counts(k.platformId).pending, 1, 'the upload still fails');
    assert.ok(k.ledger.find(k.platformId, pending.ctiHex)?.upload === 'pending');
    assert.ok(k.ledger.trustedTime() >= before && k.ledger.trustedTime() * 1000 > Date.now() - 60_000, 'the signed platform time raised the floor');
    const s = k.ledger.sync.state(k.platformId);
    assert.ok(s.revocationsAt !== null && s.revocationsCursor > 0 && s.lastSyncAt !== null);
  });

  it('a forged state or revocation answer is ignored and logged: nothing applied, the trusted time untouched', async () => {
    const k = await kiosk('forged');
    const iat = new Date(Date.now() - 3600_000).toISOString();
    const c = await fx.admin('POST', '/coupons', { aud: 'shop-1', sub: 'u-7', product: 'hotpot', quantity: 2, iat });
    await fx.admin('POST', '/revocations', { serial: c.body['serial'] });
    const floor = k.ledger.trustedTime();
    // a man in the middle moves the platform time a year ahead and drops the revocations: the signature no longer matches
    const forge = (_path: string, body: string) => body.replace(/"time":(\d+)/, (_m, t: string) => `"time":${Number(t) + 365 * 86400_000}`).replace(/"revocations":\[[^\]]*\]/, '"revocations":[]');
    const w = track(worker(k, { backoffBaseMs: 100 }, rigged(k, forge)));
    w.start();
    await until('the forgery was seen and ignored', () => k.lines.filter((l) => String(l['msg']).includes('platform answer ignored')).length >= 2);
    assert.equal(k.ledger.trustedTime(), floor, 'the forged time did not move the floor');
    assert.equal(k.ledger.isRevoked(k.platformId, c.body['ctiHex'] as string), false);
    assert.equal(k.ledger.sync.state(k.platformId).lastSyncAt, null, 'a forged answer is no contact');
    assert.equal(w.status()[0]?.online, false);
    assert.match(String(w.status()[0]?.lastError), /ANSWER_UNVERIFIED/);
  });

  it('the same coupon redeemed offline at two terminals: the second learns it in its upload answer, both from the state answer', async () => {
    const a = await kiosk('conflict-a');
    const b = await kiosk('conflict-b');
    const r = await redeemIssued(fx, a, Date.now() - 5000);
    b.ledger.redeem({ ...r, terminalId: b.terminalId, at: Date.now() - 4000 });
    const wa = track(worker(a));
    wa.start();
    await until('a uploaded', () => a.ledger.sync.counts(a.platformId).pending === 0);
    const wb = track(worker(b));
    wb.start();
    await until('b uploaded', () => b.ledger.sync.counts(b.platformId).pending === 0);
    assert.equal(b.ledger.find(b.platformId, r.ctiHex)?.uploadResult, 'conflict');
    await wa.platforms()[0]!.pullNow();
    await wb.platforms()[0]!.pullNow();
    const [ca, cb] = [a.ledger.sync.conflicts(), b.ledger.sync.conflicts()];
    assert.deepEqual(ca.map((c) => [c.ctiHex, c.side, c.first.terminalId, c.second.terminalId]), [[r.ctiHex, 'won', a.terminalId, b.terminalId]]);
    assert.deepEqual(cb.map((c) => [c.ctiHex, c.side, c.first.terminalId, c.second.terminalId]), [[r.ctiHex, 'lost', a.terminalId, b.terminalId]]);
    assert.ok(cb[0]!.noticeSeq !== null, 'the upload answer\'s conflict and the notice are one row');
    assert.equal(wb.status()[0]?.conflicts, 1);
  });

  it('over TLS on loopback with a self-signed certificate pinned at enrollment', async () => {
    const tls = selfSigned(dir, 'sync-tls');
    const secure = await startFixture({ tls });
    closers.push(() => secure.stop());
    await secure.merchant('shop-1');
    const k = await enrolledKiosk(secure, dir, 'tls-home', { url: secure.url, tls: { mode: 'pin', pin: spkiPin(tls.cert) } });
    kiosks.push(k);
    const r = await redeemIssued(secure, k);
    const w = track(worker(k));
    w.start();
    await until('uploaded over TLS', () => k.ledger.sync.counts(k.platformId).pending === 0);
    assert.match(secure.url, /^https:/);
    assert.equal((await platformRows(secure, k.terminalId)).get(r.ctiHex)?.length, 1);
    assert.equal(w.status()[0]?.online, true);
  });
});
