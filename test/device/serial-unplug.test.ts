/**
 * Issue 11's field test, as the issue ran it: `kiosk start --serial-path A
 * --json` on one end of a socat pty pair, the "scanner" on the other, socat
 * killed while a scan is flowing. The service must report the scanner gone,
 * come back on replug, and redeem the next scan.
 */
import assert from 'node:assert/strict';
import { closeSync, writeSync } from 'node:fs';
import { privateKeyToPem, publicKeyToPem } from '../../coupon/index.js';
import { importKeys } from '../../provisioning/import.js';
import { needTool } from '../support/host-tool.js';
import { SocatPty, startFlood } from '../support/socat-pty.js';
import { MERCHANT_ID, PLATFORM_ID, issue, makeKeys, removeDir, tempDir } from './helpers.js';
import { isVerdict, spawnKiosk, type Run } from './spawn-kiosk.js';

const UNPLUGS = 5;

const scannerEvents = (run: Run): string[] => run.events.filter((e) => e['event'] === 'scanner').map((e) => String(e['state']));
/** How many times the service has reported the scanner in `state` so far. */
const times = (run: Run, state: string): number => scannerEvents(run).filter((s) => s === state).length;

describe('kiosk start --serial-path on a socat pty: unplugged mid-transfer', function () {
  this.timeout(120_000);
  let home: string;
  let pty: SocatPty;

  before(function () {
    needTool(this, 'socat', 'apt-get install socat');
  });
  beforeEach(() => {
    home = tempDir();
    pty = new SocatPty();
  });
  afterEach(async () => {
    await pty.dispose();
    removeDir(home);
  });

  it(`reports each of ${UNPLUGS} unplugs within 3 s, reconnects, and redeems the scan after the last replug`, async () => {
    const keys = makeKeys();
    importKeys({
      home, platformId: PLATFORM_ID, platformKeyPem: publicKeyToPem(keys.platform.publicKey),
      merchantId: MERCHANT_ID, merchantKeyPem: privateKeyToPem(keys.merchant.privateKey),
    });
    await pty.plug();
    const run = spawnKiosk(['start', '--home', home, '--serial-path', pty.a, '--display', 'none', '--json'], { stdin: 'devnull' });
    try {
      await run.waitFor(() => times(run, 'connected') > 0);
      for (let i = 1; i <= UNPLUGS; i++) {
        // a scan that never ends: the reader always finds data waiting, as in the field report
        const writer = await startFlood(pty.b, 'Z'.repeat(512), { terminator: false });
        await new Promise((r) => setTimeout(r, 300)); // the transfer is under way
        const [gone, back] = [times(run, 'disconnected'), times(run, 'connected')];
        const t0 = Date.now();
        await pty.unplug(i % 2 ? 'SIGKILL' : 'SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          run.waitFor(() => times(run, 'disconnected') > gone),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`unplug ${i} not reported within 3 s`)), 3000))),
        ]).finally(() => clearTimeout(timer));
        assert.ok(Date.now() - t0 < 3000);
        await writer.stop();
        await pty.plug();
        await run.waitFor(() => times(run, 'connected') > back);
      }
      assert.equal(run.events.filter(isVerdict).length, 0, 'the cut-off scans gave no verdict');
      const fd = pty.openFarEnd();
      writeSync(fd, `${issue(keys)}\r`);
      await run.waitFor(isVerdict);
      closeSync(fd);
      assert.equal(run.events.find(isVerdict)?.['reason'], 'ACCEPTED');
    } finally {
      run.child.kill('SIGTERM');
      assert.equal(await run.done, 0);
    }
  });
});
