/**
 * Reliability of the real service process: kill -9 during a burst, restart,
 * and nothing printed as ACCEPTED is ever lost or accepted twice.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { privateKeyToPem, publicKeyToPem } from '../../coupon/index.js';
import { importKeys } from '../../provisioning/import.js';
import { MERCHANT_ID, PLATFORM_ID, issue, makeKeys, removeDir, tempDir, type TestKeys } from './helpers.js';
import { SCAN_BURST_GAP_MS } from '../../drivers/scanner/port.js';
import { KIOSK_CLI, isVerdict, scanPaced, spawnKiosk } from './spawn-kiosk.js';

const START = (home: string): string[] => ['start', '--home', home, '--simulate', '--display', 'none', '--json'];

function provision(home: string, keys: TestKeys): void {
  importKeys({
    home,
    platformId: PLATFORM_ID,
    platformKeyPem: publicKeyToPem(keys.platform.publicKey),
    merchantId: MERCHANT_ID,
    merchantKeyPem: privateKeyToPem(keys.merchant.privateKey),
  });
}

/** serial → count of redemption rows, plus integrity_check */
function inspectLedger(home: string): { serials: Map<string, number>; integrity: string } {
  const db = new Database(path.join(home, 'ledger.sqlite'), { readonly: true });
  try {
    const rows = db.prepare('SELECT serial FROM redemptions').all() as { serial: string }[];
    const serials = new Map<string, number>();
    for (const r of rows) serials.set(r.serial, (serials.get(r.serial) ?? 0) + 1);
    return { serials, integrity: String(db.pragma('integrity_check', { simple: true })) };
  } finally {
    db.close();
  }
}

describe('kiosk service process (kill -9, restart)', function () {
  this.timeout(120_000);
  let home: string;
  let keys: TestKeys;
  before(() => (keys = makeKeys()));
  beforeEach(() => {
    home = tempDir();
    provision(home, keys);
  });
  afterEach(() => removeDir(home));

  it('every printed ACCEPTED survives kill -9 at random points; no serial twice; integrity ok', async () => {
    // scans come as a person makes them (one burst each); the kill lands 0-3 ms after a scan, in its processing
    const coupons = Array.from({ length: 60 }, () => issue(keys));
    const acceptedPrinted: string[] = [];
    const killPoints: string[] = [];
    let next = 0;
    for (let round = 0; round < 6; round++) {
      const k = Math.floor(Math.random() * 8);
      const delay = Math.random() * 3;
      killPoints.push(`${k} then ${delay.toFixed(1)} ms`);
      const run = spawnKiosk(START(home));
      run.child.stdin.on('error', () => undefined); // EPIPE after the kill
      await run.waitFor((e) => e['event'] === 'state' && e['phase'] === 'ready');
      // earlier coupons again (already redeemed or not) and new ones
      await scanPaced(run, coupons.slice(Math.max(0, next - 2), next + k));
      next += k;
      run.child.stdin.write(coupons[next++ % coupons.length] + '\n');
      await new Promise((r) => setTimeout(r, delay));
      run.child.kill('SIGKILL');
      assert.equal(await run.done, 'SIGKILL');
      for (const e of run.events) if (e['reason'] === 'ACCEPTED') acceptedPrinted.push(String(e['serial']));
    }
    const where = `kill points ${killPoints.join(', ')}`;
    const { serials, integrity } = inspectLedger(home);
    assert.equal(integrity, 'ok');
    for (const s of acceptedPrinted) assert.equal(serials.get(s), 1, `${s} printed ACCEPTED but not in the ledger once (${where})`);
    assert.equal(new Set(acceptedPrinted).size, acceptedPrinted.length, `a serial was ACCEPTED twice (${where})`);
    assert.ok([...serials.values()].every((n) => n === 1));

    const out = execFileSync(process.execPath, [KIOSK_CLI, 'redeem', '--home', home, '-'], { input: coupons.join('\n') + '\n', env: { ...process.env, KIOSK_LOG_LEVEL: 'warn' } });
    const again = out.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(again.length, coupons.length);
    for (const e of again) {
      const wasRecorded = serials.has(String(e['serial']));
      assert.equal(e['reason'], wasRecorded ? 'ALREADY_REDEEMED' : 'ACCEPTED', `${String(e['serial'])} (${where})`);
    }
  });

  it('garbage, a 10,000-char line, binary bytes and blank lines each get a verdict; the service keeps running', async () => {
    const run = spawnKiosk(START(home));
    const valid = issue(keys);
    const lines = [Buffer.from('garbage'), Buffer.from('x'.repeat(10_000)), Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x41]), Buffer.from('   '), Buffer.from(valid)];
    await run.waitFor((e) => e['event'] === 'state' && e['phase'] === 'ready');
    // one scan each, a person's pause apart; pure-empty lines (\n\n) are dropped by the framing
    for (const [i, l] of lines.entries()) {
      run.child.stdin.write(Buffer.concat([l, Buffer.from('\n\n')]));
      await run.waitFor(() => run.events.filter(isVerdict).length > i);
      await new Promise((r) => setTimeout(r, SCAN_BURST_GAP_MS + 10));
    }
    run.child.stdin.end();
    assert.equal(await run.done, 0);
    const verdicts = run.events.filter(isVerdict).map((e) => e['reason']);
    assert.deepEqual(verdicts, ['NOT_A_COUPON', 'NOT_A_COUPON', 'NOT_A_COUPON', 'NOT_A_COUPON', 'ACCEPTED']);
    assert.ok(run.events.some((e) => e['event'] === 'state' && e['phase'] === 'stopped'));
  });

  it('issue 7.7: one QR code of 1,476 "x" lines is one scan: one verdict, one scan-log row', async () => {
    const run = spawnKiosk(START(home));
    await run.waitFor((e) => e['event'] === 'state' && e['phase'] === 'ready');
    run.child.stdin.write('x\n'.repeat(1476));
    await new Promise((r) => setTimeout(r, 300));
    const valid = issue(keys);
    await scanPaced(run, [valid]);
    run.child.stdin.end();
    assert.equal(await run.done, 0);
    assert.deepEqual(run.events.filter(isVerdict).map((e) => e['reason']), ['NOT_A_COUPON', 'ACCEPTED']);
    const db = new Database(path.join(home, 'ledger.sqlite'), { readonly: true });
    assert.equal(db.prepare('SELECT count(*) FROM scans').pluck().get(), 2);
    db.close();
  });

  it('SIGTERM stops cleanly with exit status 0', async () => {
    const run = spawnKiosk(START(home));
    await run.waitFor((e) => e['event'] === 'state' && e['phase'] === 'ready');
    run.child.stdin.write(issue(keys) + '\n');
    await run.waitFor(isVerdict);
    run.child.kill('SIGTERM');
    assert.equal(await run.done, 0);
    assert.equal(run.events.at(-1)?.['phase'], 'stopped');
    assert.equal(inspectLedger(home).serials.size, 1);
  });
});
