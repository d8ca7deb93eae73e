/**
 * Issue 7.5: a problem at start-up must not leave the service broken for good.
 * Real causes: a full tmpfs, a lock held by another process, a ledger file
 * restored while the kiosk runs. The kiosk reports each as what it is and
 * recovers once the cause is gone, by itself (timer) and on the next scan.
 */
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parseConfig } from '../../device/config.js';
import { homePaths } from '../../device/home.js';
import { openHomeLedger } from '../../device/home-ledger.js';
import { memoryLogger, silentLogger } from '../../device/logger.js';
import { openLedgerOrFault } from '../../device/main.js';
import { mountTmpfs, needsRoot, type Tmpfs } from '../support/tmpfs.js';
import { issue, makeKeys, removeDir, tempDir, type TestKeys } from './helpers.js';
import { buildKiosk, reasonOf, type Harness } from './kiosk-harness.js';

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function scan(h: Harness, text: string): Promise<string | undefined> {
  const n = h.verdicts.length;
  h.scanner.emitLine(text);
  await h.verdictCount(n + 1);
  return reasonOf(h.verdicts[n]);
}

/** Write until the file system says ENOSPC. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (;;) writeSync(fd, Buffer.alloc(64 * 1024));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

describe('device/kiosk start-up faults recover (issue 7.5)', function () {
  this.timeout(30_000);
  let keys: TestKeys;
  before(() => (keys = makeKeys()));

  describe('a full disk (a real tmpfs)', () => {
    let fs: Tmpfs | undefined;
    beforeEach(function () {
      needsRoot(this);
      fs = mountTmpfs(1024);
    });
    afterEach(() => fs?.unmount());

    it('is DISK_FULL, not LEDGER_OPEN_FAILED; clears by itself once space is freed; scans are redeemed again', async () => {
      const home = fs!.dir;
      const config = parseConfig({}, { home });
      openHomeLedger(homePaths(home), config, { logger: silentLogger() }).close();
      const filler = path.join(home, 'filler');
      fill(filler);
      const { logger, lines } = memoryLogger('info');
      const ledger = openLedgerOrFault({ paths: homePaths(home), config }, logger);
      assert.equal(ledger.available, false);
      const h = buildKiosk({ keyring: keys.keyring, ledger, ledgerRetryMs: 50 });
      await h.kiosk.start();
      assert.deepEqual(h.kiosk.state.faults, ['DISK_FULL']);
      assert.ok(h.display.last?.kind === 'fault' && h.display.last.fault === 'DISK_FULL');
      assert.ok(lines.some((l) => (l['err'] as { code?: string } | undefined)?.code === 'LEDGER_DISK_FULL'));
      assert.ok(!JSON.stringify(lines).includes('LEDGER_OPEN_FAILED'));
      assert.equal(await scan(h, issue(keys)), 'FAULT:DISK_FULL');

      rmSync(filler);
      await until('the fault to clear', () => h.kiosk.state.faults.length === 0);
      assert.ok(h.faults.some((f) => f.fault === 'DISK_FULL' && !f.active), 'cleared without a scan');
      assert.equal(await scan(h, issue(keys)), 'ACCEPTED');
      await h.kiosk.stop();
    });
  });

  it('a lock held by another process is LEDGER_BUSY; the next scan after it is released is redeemed', async () => {
    const home = tempDir();
    try {
      const config = parseConfig({}, { home });
      openHomeLedger(homePaths(home), config, { logger: silentLogger() }).close();
      const holder = new Database(path.join(home, 'ledger.sqlite'));
      holder.pragma('locking_mode = EXCLUSIVE');
      holder.exec('BEGIN EXCLUSIVE');
      const ledger = openLedgerOrFault({ paths: homePaths(home), config }, silentLogger());
      const h = buildKiosk({ keyring: keys.keyring, ledger, ledgerRetryMs: 60_000 });
      await h.kiosk.start();
      assert.ok(h.display.last?.kind === 'fault' && h.display.last.fault === 'LEDGER_ERROR' && h.display.last.detail?.includes('LEDGER_BUSY'));
      await new Promise((r) => setTimeout(r, 1100)); // the reopen rate limit
      const t0 = Date.now();
      assert.equal(await scan(h, issue(keys)), 'FAULT:LEDGER_ERROR', 'still locked');
      assert.ok(Date.now() - t0 < 1000, `a retry does not stall the kiosk for the whole busy timeout (${Date.now() - t0} ms)`);
      holder.exec('COMMIT');
      holder.close();
      await new Promise((r) => setTimeout(r, 1100)); // the reopen rate limit
      assert.equal(await scan(h, issue(keys)), 'ACCEPTED', 'no timer needed: the scan itself reopens the ledger');
      assert.deepEqual(h.kiosk.state.faults, []);
      await h.kiosk.stop();
    } finally {
      removeDir(home);
    }
  });

  it('a lost ledger restored from a backup while the kiosk runs: the kiosk takes it without a restart', async () => {
    const home = tempDir();
    try {
      const config = parseConfig({}, { home });
      const paths = homePaths(home);
      const first = openHomeLedger(paths, config, { logger: silentLogger() });
      const used = issue(keys);
      const h0 = buildKiosk({ keyring: keys.keyring, ledger: first });
      await h0.kiosk.start();
      assert.equal(await scan(h0, used), 'ACCEPTED');
      await h0.kiosk.stop();
      const backup = path.join(home, 'backup.sqlite');
      copyFileSync(path.join(home, 'ledger.sqlite'), backup);
      rmSync(path.join(home, 'ledger.sqlite'));

      const h = buildKiosk({ keyring: keys.keyring, ledger: openLedgerOrFault({ paths, config }, silentLogger()), ledgerRetryMs: 50 });
      await h.kiosk.start();
      assert.ok(h.display.last?.kind === 'fault' && h.display.last.detail?.includes('LEDGER_LOST'));
      assert.equal(await scan(h, used), 'FAULT:LEDGER_ERROR');
      copyFileSync(backup, path.join(home, 'ledger.sqlite'));
      await until('the fault to clear', () => h.kiosk.state.faults.length === 0);
      assert.equal(await scan(h, used), 'ALREADY_REDEEMED');
      await h.kiosk.stop();
    } finally {
      removeDir(home);
    }
  });
});
