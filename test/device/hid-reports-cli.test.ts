/**
 * `kiosk start --hid-reports -`: the real HID driver and decoder fed raw boot
 * keyboard reports on stdin, in the real service process (the demo's second
 * kiosk runs this way).
 */
import assert from 'node:assert/strict';
import { privateKeyToPem, publicKeyToPem } from '../../coupon/index.js';
import { encode } from '../../drivers/scanner/hid-typing.js';
import { SCAN_BURST_GAP_MS } from '../../drivers/scanner/port.js';
import { importKeys } from '../../provisioning/import.js';
import { MERCHANT_ID, PLATFORM_ID, issue, makeKeys, removeDir, tempDir } from './helpers.js';
import { isVerdict, spawnKiosk, type Run } from './spawn-kiosk.js';

const typed = (text: string) => Buffer.concat(encode('us', text).map((r) => Buffer.from(r)));

async function scan(run: Run, text: string): Promise<Record<string, unknown>> {
  const seen = run.events.filter(isVerdict).length;
  run.child.stdin.write(typed(text));
  await run.waitFor(() => run.events.filter(isVerdict).length > seen);
  await new Promise((r) => setTimeout(r, SCAN_BURST_GAP_MS * 2));
  return run.events.filter(isVerdict)[seen]!;
}

describe('kiosk start --hid-reports - (HID reports on stdin)', function () {
  this.timeout(60_000);
  let home: string;
  const keys = makeKeys();
  before(() => {
    home = tempDir();
    importKeys({ home, platformId: PLATFORM_ID, platformKeyPem: publicKeyToPem(keys.platform.publicKey), merchantId: MERCHANT_ID, merchantKeyPem: privateKeyToPem(keys.merchant.privateKey) });
  });
  after(() => removeDir(home));

  it('redeems typed scans through the HID decoder, and stops at the end of stdin with status 0', async () => {
    // --simulate keeps the screen and LEDs simulated; --hid-reports still picks the HID driver
    const run = spawnKiosk(['start', '--home', home, '--simulate', '--display', 'none', '--json', '--hid-reports', '-']);
    await run.waitFor((e) => e['event'] === 'scanner' && e['state'] === 'connected');
    const coupon = issue(keys);
    assert.equal((await scan(run, coupon))['reason'], 'ACCEPTED');
    assert.equal((await scan(run, coupon))['reason'], 'ALREADY_REDEEMED');
    assert.equal((await scan(run, 'not a coupon'))['reason'], 'NOT_A_COUPON');
    run.child.stdin.end();
    assert.equal(await run.done, 0);
    assert.equal(run.events.at(-1)?.['phase'], 'stopped');
  });

  it('SIGTERM stops it with status 0 while stdin stays open', async () => {
    const run = spawnKiosk(['start', '--home', home, '--simulate', '--display', 'none', '--json', '--hid-reports', '-']);
    await run.waitFor((e) => e['event'] === 'scanner' && e['state'] === 'connected');
    run.child.kill('SIGTERM');
    assert.equal(await run.done, 0);
  });
});
