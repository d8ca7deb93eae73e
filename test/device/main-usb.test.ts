/** The service's USB export as main wires it: the exporter, its screens, and the chunks it makes ahead in idle time. */
import assert from 'node:assert/strict';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parseConfig } from '../../device/config.js';
import { buildUsbExport } from '../../device/main-usb.js';
import { silentLogger } from '../../device/logger.js';
import { systemClock } from '../../drivers/clock/port.js';
import { FakeVolumeWatcher } from '../../drivers/volume/fake.js';
import { writeIdentity } from '../support/identity.js';
import { openTestLedger, removeDir, tempDir } from './helpers.js';
import { input } from './ledger/helpers.js';

describe('device/main-usb: the service\'s USB export', function () {
  this.timeout(30_000);
  let dir: string;
  afterEach(() => removeDir(dir));

  it('makes the next batch\'s chunks ahead, of enrolled platforms only, at the step the exporter takes (usb.maxBatchRecords)', async () => {
    dir = tempDir('kiosk-main-usb-');
    const home = path.join(dir, 'home');
    writeIdentity(home, 'plat-a');
    const ledger = openTestLedger(dir);
    for (let i = 0; i < 7; i++) assert.ok(ledger.redeem(input(i, { platformId: 'plat-a' })).ok);
    for (let i = 10; i < 17; i++) assert.ok(ledger.redeem(input(i, { platformId: 'plat-b' })).ok);
    const config = parseConfig({ usb: { maxBatchRecords: 3 } }, { home, hostname: 'counter-1' });
    const usb = buildUsbExport({ home, config, ledger, clock: systemClock, logger: silentLogger(), ui: { setActivity: () => undefined }, watcher: new FakeVolumeWatcher() })!;
    const rows = (): unknown[] => {
      const db = new Database(path.join(dir, 'ledger.sqlite'), { readonly: true });
      try {
        return db.prepare('SELECT platform_id, from_seq, count FROM export_chunks').raw(true).all();
      } finally {
        db.close();
      }
    };
    await usb.start();
    try {
      for (let i = 0; i < 100 && rows().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      // one batch of 3 is one step of 3: plat-a's entries 1-3; plat-b has no terminal key
      assert.deepEqual(rows(), [['plat-a', 0, 3]]);
    } finally {
      await usb.stop();
      ledger.close();
    }
  });
});
