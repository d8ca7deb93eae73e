/**
 * `kiosk start` under a fake systemd: NOTIFY_SOCKET and WATCHDOG_USEC as
 * systemd sets them for Type=notify with WatchdogSec=, a real datagram socket
 * receiving, the scanner on a socat pty.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { privateKeyToPem, publicKeyToPem } from '../../coupon/index.js';
import { importKeys } from '../../provisioning/import.js';
import { needTool } from '../support/host-tool.js';
import { NotifyReceiver } from '../support/notify-receiver.js';
import { SocatPty } from '../support/socat-pty.js';
import { MERCHANT_ID, PLATFORM_ID, issue, makeKeys, removeDir, tempDir } from './helpers.js';
import { isVerdict, spawnKiosk } from './spawn-kiosk.js';

describe('kiosk start under systemd Type=notify (fake NOTIFY_SOCKET)', function () {
  this.timeout(60_000);
  let home: string;
  let dir: string;
  let pty: SocatPty;
  let receiver: NotifyReceiver;

  before(function () {
    for (const tool of ['systemd-notify', 'python3', 'socat']) needTool(this, tool, `apt-get install ${tool === 'systemd-notify' ? 'systemd' : tool}`);
  });
  beforeEach(async () => {
    home = tempDir();
    dir = mkdtempSync(path.join(tmpdir(), 'kiosk-notify-'));
    pty = new SocatPty();
    receiver = new NotifyReceiver(path.join(dir, 'notify'));
    await receiver.start();
  });
  afterEach(async () => {
    await receiver.stop();
    await pty.dispose();
    rmSync(dir, { recursive: true, force: true });
    removeDir(home);
  });

  it('READY=1 once it takes scans, watchdog pings, STATUS follows scans and the scanner, STOPPING=1 on SIGTERM', async () => {
    const keys = makeKeys();
    importKeys({
      home, platformId: PLATFORM_ID, platformKeyPem: publicKeyToPem(keys.platform.publicKey),
      merchantId: MERCHANT_ID, merchantKeyPem: privateKeyToPem(keys.merchant.privateKey),
    });
    await pty.plug();
    const run = spawnKiosk(['start', '--home', home, '--serial-path', pty.a, '--display', 'none', '--json'], {
      stdin: 'devnull',
      env: { NOTIFY_SOCKET: receiver.address, WATCHDOG_USEC: '300000' },
    });
    try {
      const ready = await receiver.waitFor((d) => d.fields['READY'] === '1', 'READY=1');
      assert.equal(ready.fields['STATUS'], 'ready, scanner: connected, sync: none, pending: 0');
      assert.ok(run.events.some((e) => e['event'] === 'state' && e['phase'] === 'ready'), 'READY=1 only after the kiosk is ready');
      await receiver.waitFor((d) => d.fields['WATCHDOG'] === '1' && d.at > ready.at + 250, 'a second ping period');

      const fd = pty.openFarEnd();
      writeSync(fd, `${issue(keys)}\r`);
      await run.waitFor(isVerdict);
      closeSync(fd);
      await receiver.waitFor((d) => d.fields['STATUS'] === 'ready, scanner: connected, sync: none, pending: 1', 'STATUS with the pending redemption');

      await pty.unplug();
      await receiver.waitFor((d) => /scanner: disconnected/.test(d.fields['STATUS'] ?? ''), 'STATUS with the scanner unplugged');

      run.child.kill('SIGTERM');
      assert.equal(await run.done, 0);
      await receiver.waitFor((d) => d.fields['STOPPING'] === '1', 'STOPPING=1');
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
