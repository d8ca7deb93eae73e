/**
 * Two kiosks of one merchant in online-required, each talking to its own
 * `serve` process, both processes on one real PostgreSQL: the same coupons
 * scanned at both counters at the same moment. Exactly one counter shows
 * ACCEPTED for each coupon, the other ALREADY_REDEEMED naming the first's
 * branch; the platform holds one redemption per coupon.
 */
import assert from 'node:assert/strict';
import { removeDir, tempDir } from '../../device/helpers.js';
import { startCluster, type Cluster } from '../../platform/serve-cluster.js';
import { enrollHome, issueCoupon, reasons, redeemLines, type AdminCall } from './kiosk-run.js';

describe('claim race: two kiosks, two serve processes, one PostgreSQL (online-required)', function () {
  this.timeout(180_000);
  let c: Cluster;
  let dir: string;

  before(async function () {
    c = await startCluster(this);
    dir = tempDir('claims-pg-');
  });
  after(async () => {
    await c?.stop();
    if (dir) removeDir(dir);
  });

  it('each coupon: exactly one ACCEPTED across the two counters', async () => {
    const admin = (i: number): AdminCall => (method, route, body) => c.admin(i, method, route, body);
    // a generous claim timeout: 24 claims at once through two processes on a loaded CI machine must each be answered, not time out
    assert.equal((await admin(0)('PATCH', '/merchants/shop-1', { claimMode: 'online-required', settings: { claimTimeoutMs: 15_000 } })).status, 200);
    const north = await enrollHome(admin(0), c.serves[0]!.url, dir, 'north', 'shop-1', 'north');
    const south = await enrollHome(admin(1), c.serves[1]!.url, dir, 'south', 'shop-1', 'south');
    const coupons = [];
    for (let i = 0; i < 12; i++) coupons.push(await issueCoupon(admin(i % 2), 'shop-1'));
    const texts = coupons.map((x) => x.text);
    const [a, b] = await Promise.all([redeemLines(north, texts), redeemLines(south, texts)]);
    for (const [i, x] of coupons.entries()) {
      const pair = [a[i]!, b[i]!];
      assert.deepEqual(reasons(pair).sort(), ['ACCEPTED', 'ALREADY_REDEEMED'], `coupon ${x.serial}: ${JSON.stringify(pair)}`);
      const winner = pair.find((e) => e['reason'] === 'ACCEPTED')!;
      const loser = pair.find((e) => e['reason'] === 'ALREADY_REDEEMED')!;
      assert.equal(loser['redeemedBranch'], winner === a[i] ? 'north' : 'south');
      assert.equal(winner['offline'], false);
    }
    const rows = await c.sql.query<{ cti_hex: string; n: number }>('SELECT cti_hex, count(*)::int AS n FROM redemptions WHERE cti_hex = ANY($1) GROUP BY cti_hex', [coupons.map((x) => x.ctiHex)]);
    assert.deepEqual(rows.rows.map((r) => r.n), Array<number>(coupons.length).fill(1));
  });
});
