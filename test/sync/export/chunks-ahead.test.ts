import assert from 'node:assert/strict';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Ledger } from '../../../device/ledger/types.js';
import { memoryLogger } from '../../../device/logger.js';
import { FakeVolumeWatcher } from '../../../drivers/volume/fake.js';
import { ChunksAhead } from '../../../sync/export/chunks-ahead.js';
import { UsbExport } from '../../../sync/export/usb-export.js';
import { openTestLedger, removeDir, tempDir } from '../../device/helpers.js';
import { chainDir, fill, makeExporter, MARKED, signersFor, stick, testSigner, verifyChain } from './helpers.js';

const aheadCount = (dir: string): number => {
  const db = new Database(path.join(dir, 'ledger.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM export_chunks').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('sync/export: chunks made ahead in idle time', () => {
  let dir: string;
  let ledger: Ledger;
  beforeEach(() => {
    dir = tempDir('kiosk-ahead-');
    ledger = openTestLedger(dir);
  });
  afterEach(() => {
    ledger.close();
    removeDir(dir);
  });

  it('makes at most perTick chunks a tick, none while an export runs, and stops', async () => {
    fill(ledger, 0, 23);
    let busy = true;
    const log = memoryLogger();
    const ahead = new ChunksAhead({ ledger, logger: log.logger, busy: () => busy, options: { chunkRecords: 2, maxBatchRecords: 1000, perTick: 4, everyMs: 60_000 } });
    assert.equal(await ahead.tick(), 0, 'busy: nothing');
    busy = false;
    const [first, joined] = await Promise.all([ahead.tick(), ahead.tick()]);
    assert.deepEqual([first, joined], [4, 4], 'a second call joins the tick under way');
    assert.equal(await ahead.tick(), 4);
    assert.equal(await ahead.tick(), 3, '11 whole chunks of 2 in 23 entries');
    assert.equal(await ahead.tick(), 0);
    assert.equal(aheadCount(dir), 11);
    await ahead.stop();
    fill(ledger, 23, 29);
    assert.equal(await ahead.tick(), 1, 'a tick after stop ends after its first step');
  });

  it('moves each chunk from the WAL into the database file in the same tick (a passive checkpoint), not in a later scan\'s commit', async () => {
    fill(ledger, 0, 4);
    const file = path.join(dir, 'ledger.sqlite');
    const before = readFileSync(file);
    const ahead = new ChunksAhead({ ledger, logger: memoryLogger().logger, busy: () => false, options: { chunkRecords: 2, maxBatchRecords: 1000 } });
    assert.equal(await ahead.tick(), 2);
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      assert.equal(db.prepare('SELECT count(*) AS n FROM export_chunks').pluck().get(), 2);
    } finally {
      db.close();
    }
    assert.ok(!readFileSync(file).equals(before), 'the database file itself holds the chunks');
  });

  it('runs on its timer once started, and stop waits for the tick under way', async () => {
    fill(ledger, 0, 9);
    const ahead = new ChunksAhead({ ledger, logger: memoryLogger().logger, busy: () => false, options: { chunkRecords: 3, maxBatchRecords: 1000, everyMs: 5 } });
    ahead.start();
    for (let i = 0; i < 200 && aheadCount(dir) < 3; i++) await new Promise((r) => setTimeout(r, 5));
    await ahead.stop();
    assert.equal(aheadCount(dir), 3);
  });

  it('says once that it cannot make chunks (a closed ledger), and never throws', async () => {
    fill(ledger, 0, 4);
    const log = memoryLogger();
    const ahead = new ChunksAhead({ ledger, logger: log.logger, busy: () => false, options: { chunkRecords: 2, maxBatchRecords: 1000 } });
    ledger.close();
    assert.equal(await ahead.tick(), 0);
    assert.equal(await ahead.tick(), 0);
    const warned = log.lines.filter((l) => l['msg'] === 'could not make export chunks ahead; exports make them instead');
    assert.equal(warned.length, 1);
    ledger = openTestLedger(dir);
  });

  it('an export from chunks made ahead writes the same files, byte for byte, as one that makes them all', async () => {
    const a = testSigner('plat-a', 'T-a');
    fill(ledger, 0, 45);
    ledger.reverse(3, 1_780_000_300_000);
    fill(ledger, 45, 50, 'plat-b');
    // a copy of the ledger with no chunk made ahead: the reference
    const plainDir = tempDir('kiosk-ahead-plain-');
    try {
      ledger.close();
      copyFileSync(path.join(dir, 'ledger.sqlite'), path.join(plainDir, 'ledger.sqlite'));
      ledger = openTestLedger(dir);
      const plain = openTestLedger(plainDir);
      const ahead = new ChunksAhead({ ledger, logger: memoryLogger().logger, busy: () => false, options: { chunkRecords: 4, maxBatchRecords: 30, perTick: 100 } });
      assert.equal(await ahead.tick(), 8, 'plat-a: 7 whole chunks in its next batch of 30; plat-b: 1');
      const options = { chunkRecords: 4, maxBatchRecords: 30 };
      const s1 = stick(dir, 's1');
      const s2 = stick(plainDir, 's2');
      const b = testSigner('plat-b', 'T-b');
      const [r1, r2] = [await makeExporter(ledger, signersFor(a, b), { options }).run(s1, MARKED), await makeExporter(plain, signersFor(a, b), { options }).run(s2, MARKED)];
      plain.close();
      assert.equal(r1.state, 'done');
      assert.equal(r2.state, 'done');
      for (const [p, t] of [['plat-a', 'T-a'], ['plat-b', 'T-b']] as const) {
        const names = readdirSync(chainDir(s1.root, p, t)).sort();
        assert.deepEqual(names, readdirSync(chainDir(s2.root, p, t)).sort());
        for (const name of names) assert.ok(readFileSync(path.join(chainDir(s1.root, p, t), name)).equals(readFileSync(path.join(chainDir(s2.root, p, t), name))), `${p} ${name}`);
      }
      assert.deepEqual(verifyChain(s1.root, a).map((x) => x.serials.length), [30, 16]);
      assert.equal(await ahead.tick(), 8, 'the next tick deletes the chunks the export passed');
      assert.equal(aheadCount(dir), 0);
    } finally {
      removeDir(plainDir);
    }
  });

  it('runs while the service\'s USB export runs: started and stopped with it', async () => {
    fill(ledger, 0, 4);
    const exporter = makeExporter(ledger, signersFor(testSigner('plat-a')));
    const ahead = new ChunksAhead({ ledger, logger: memoryLogger().logger, busy: () => exporter.exportUnderWay(), options: { chunkRecords: 2, maxBatchRecords: 1000, everyMs: 5 } });
    const config = { anyStick: false, folder: 'coupon-export', unmount: false, messageMs: 1000 };
    const usb = new UsbExport({ watcher: new FakeVolumeWatcher(), exporter, ui: { setActivity: () => undefined }, config, logger: memoryLogger().logger, ahead });
    await usb.start();
    for (let i = 0; i < 200 && aheadCount(dir) < 2; i++) await new Promise((r) => setTimeout(r, 5));
    assert.equal(aheadCount(dir), 2);
    await usb.stop();
    fill(ledger, 4, 8);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(aheadCount(dir), 2, 'stopped with it');
  });

  it('stop waits for the tick under way', async () => {
    fill(ledger, 0, 12);
    const ahead = new ChunksAhead({ ledger, logger: memoryLogger().logger, busy: () => false, options: { chunkRecords: 2, maxBatchRecords: 1000, everyMs: 60_000 } });
    let tickDone = false;
    void ahead.tick().then(() => (tickDone = true));
    await ahead.stop();
    assert.ok(tickDone);
    assert.equal(aheadCount(dir), 1, 'the tick ended after the step it was in');
  });

  it('after a failure waits (doubling) before it tries again, and says so once', async () => {
    fill(ledger, 0, 4);
    const log = memoryLogger();
    let now = 1_000_000;
    let fail = true;
    const failing = {
      exports: new Proxy(ledger.exports, {
        get: (target, prop, receiver) =>
          prop === 'chunkAhead' && fail ? () => { throw new Error('disk full'); } : Reflect.get(target, prop, receiver),
      }),
    } as unknown as Ledger;
    const ahead = new ChunksAhead({ ledger: failing, logger: log.logger, busy: () => false, now: () => now, options: { chunkRecords: 2, maxBatchRecords: 1000 } });
    assert.equal(await ahead.tick(), 0);
    now += 2_000;
    assert.equal(await ahead.tick(), 0, 'too soon: not tried');
    now += 4_000;
    assert.equal(await ahead.tick(), 0, 'tried again, failed again');
    fail = false;
    now += 4_000;
    assert.equal(await ahead.tick(), 0, 'the second wait is longer');
    now += 10_000;
    assert.equal(await ahead.tick(), 2);
    assert.equal(log.lines.filter((l) => l['msg'] === 'could not make export chunks ahead; exports make them instead').length, 1);
  });

  it('a failure of the export check or of the platform check is a failure like the ledger\'s: no rejection, said once', async () => {
    fill(ledger, 0, 4);
    const log = memoryLogger();
    let now = 0;
    const busyFails = new ChunksAhead({ ledger, logger: log.logger, busy: () => { throw new Error('lease unreadable'); }, now: () => now, options: { chunkRecords: 2, maxBatchRecords: 1000 } });
    assert.equal(await busyFails.tick(), 0);
    const platformFails = new ChunksAhead({ ledger, logger: log.logger, busy: () => false, platform: () => { throw new Error('key file unreadable'); }, now: () => now, options: { chunkRecords: 2, maxBatchRecords: 1000 } });
    assert.equal(await platformFails.tick(), 0);
    now += 60_000;
    assert.equal(await platformFails.tick(), 0, 'tried again after the wait');
    assert.deepEqual(log.lines.filter((l) => l['msg'] === 'could not make export chunks ahead; exports make them instead').map((l) => l['err']), ['lease unreadable', 'key file unreadable']);
  });

  it('makes chunks only for platforms it is told can export', async () => {
    fill(ledger, 0, 4, 'plat-a');
    fill(ledger, 10, 14, 'plat-b');
    const asked: string[] = [];
    const ahead = new ChunksAhead({
      ledger,
      logger: memoryLogger().logger,
      busy: () => false,
      platform: (id) => (asked.push(id), id === 'plat-b'),
      options: { chunkRecords: 2, maxBatchRecords: 1000 },
    });
    assert.equal(await ahead.tick(), 2);
    assert.deepEqual([...new Set(asked)], ['plat-a', 'plat-b']);
    assert.equal(asked.filter((x) => x === 'plat-a').length, 1, 'asked once a tick');
  });

  it('an export under way, here or in another live process, pauses it; a dead holder\'s lease does not', async () => {
    fill(ledger, 0, 4);
    const exporter = makeExporter(ledger, signersFor(testSigner('plat-a')));
    assert.equal(exporter.exportUnderWay(), false);
    assert.deepEqual(ledger.exports.acquireLease({ owner: 'other', pid: process.ppid, at: Date.now() }, () => false), { ok: true });
    assert.equal(exporter.exportUnderWay(), true, 'a live process holds the lease');
    ledger.exports.releaseLease('other');
    assert.deepEqual(ledger.exports.acquireLease({ owner: 'gone', pid: 2 ** 22 + 12_345, at: Date.now() }, () => false), { ok: true });
    assert.equal(exporter.exportUnderWay(), false, 'its holder is gone');
    ledger.exports.releaseLease('gone');
    let during: boolean | undefined;
    const busyOne = makeExporter(ledger, signersFor(testSigner('plat-a')), {
      hook: (phase) => {
        if (phase === 'write') during ??= busyOne.exportUnderWay();
      },
    });
    const r = await busyOne.run(stick(dir, 's'), MARKED);
    assert.equal(r.state, 'done');
    assert.equal(during, true);
    assert.equal(busyOne.exportUnderWay(), false);
  });
});
