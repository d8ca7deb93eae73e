/**
 * USB export onto real file systems: ext4, FAT and exFAT images on loop
 * devices, mounted under a root the real mount-table watcher watches. Root
 * only (CI runs as root; see test/support/mounts.ts).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Ledger } from '../../../device/ledger/types.js';
import { silentLogger } from '../../../device/logger.js';
import { MountTableWatcher, runUnmount } from '../../../drivers/volume/mount-table.js';
import type { ExportPhase } from '../../../sync/export/types.js';
import { UsbExport, type ExportEvent } from '../../../sync/export/usb-export.js';
import { openTestLedger, removeDir, tempDir } from '../../device/helpers.js';
import { requireMounts, TestStick, type StickKind } from '../../support/mounts.js';
import { chainFiles, fill, makeExporter, serialOf, signersFor, testSigner, verifyChain } from './helpers.js';

const UI = { setActivity: (): void => undefined };
const CONFIG = { anyStick: false, folder: 'coupon-export', unmount: true, messageMs: 60_000 };

class Rig {
  readonly events: ExportEvent[] = [];
  readonly usb: UsbExport;
  readonly media: string;
  readonly watcher: MountTableWatcher;
  private waiters: { state: string; resolve: (e: ExportEvent) => void }[] = [];

  constructor(
    readonly dir: string,
    readonly ledger: Ledger,
    signer: ReturnType<typeof testSigner>,
    hook?: (phase: ExportPhase) => void,
  ) {
    this.media = path.join(dir, 'media');
    mkdirSync(this.media, { recursive: true });
    const watcher = new MountTableWatcher({ roots: [this.media], pollMs: 30, unmount: (mp) => runUnmount('umount', [mp]) });
    this.watcher = watcher;
    const exporter = makeExporter(ledger, signersFor(signer), { options: { chunkRecords: 50 }, ...(hook ? { hook } : {}) });
    this.usb = new UsbExport({ watcher, exporter, ui: UI, config: CONFIG, logger: silentLogger() });
    this.usb.on('export', (e) => {
      this.events.push(e);
      if (e.state === 'started' || e.state === 'progress' || (e.state === 'skipped' && e['platformId'] !== undefined)) return;
      const waiting = this.waiters;
      this.waiters = [];
      for (const w of waiting.filter((x) => x.state === e.state)) w.resolve(e);
    });
  }

  /** The next export outcome, which must be `state` (any other outcome fails with its message). */
  next(state: 'done' | 'interrupted' | 'skipped'): Promise<ExportEvent> {
    return new Promise((resolve, reject) => {
      const check = (e: ExportEvent): void => (e.state === state ? resolve(e) : reject(new Error(`expected ${state}, got ${JSON.stringify(e)}`)));
      for (const s of ['done', 'interrupted', 'skipped']) this.waiters.push({ state: s, resolve: check });
    });
  }

  /**
   * Until the watcher has seen nothing mounted at `mountPoint`. The test's mount and
   * losetup calls block the event loop, and the kernel hands a new mount the mount id
   * just freed: re-inserting before the watcher looked would be a pull and re-insert
   * faster than any hand (and one no poll could see).
   */
  async gone(mountPoint: string): Promise<void> {
    for (let i = 0; this.watcher.volumes().some((v) => v.mountPoint === mountPoint); i++) {
      if (i > 500) throw new Error(`the watcher still lists ${mountPoint} after 15 s`);
      await new Promise((r) => setTimeout(r, 30));
    }
  }

  stick(kind: StickKind, name: string, sizeMiB = 16, marked = true): TestStick {
    const s = TestStick.create(kind, this.dir, name, path.join(this.media, name), sizeMiB);
    if (marked) {
      // made outside the watched root: the watcher must only ever see the finished stick
      const prep = new TestStick(kind, s.image, path.join(this.dir, `prep-${name}`)).mount();
      mkdirSync(path.join(prep.mountPoint, 'COUPON-EXPORT'));
      prep.umount();
    }
    return s;
  }
}

/** `p`, or a failure that names the step that stalled (rather than the test's bare timeout). */
function step<T>(p: Promise<T>, what: string, ms = 25_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not come within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

for (const kind of ['ext4', 'vfat', 'exfat'] as const) {
  describe(`sync/export on a real ${kind} stick`, function () {
    this.timeout(60_000);
    let dir: string;
    let ledger: Ledger;
    const sticks: TestStick[] = [];
    const signer = testSigner('plat-a', 'till-1');
    let rig: Rig | undefined;

    beforeEach(function () {
      requireMounts(this, kind);
      dir = tempDir(`kiosk-${kind}-`);
      ledger = openTestLedger(dir);
    });
    afterEach(async () => {
      await rig?.usb.stop();
      rig = undefined;
      for (const s of sticks.splice(0)) s.cleanup();
      ledger?.close();
      if (dir) removeDir(dir);
    });

    function make(hook?: (phase: ExportPhase) => void): Rig {
      rig = new Rig(dir, ledger, signer, hook);
      return rig;
    }

    it('insert, export, read back; the stick is unmounted afterwards; a stick without the folder is left alone', async () => {
      fill(ledger, 0, 120);
      const r = make();
      await r.usb.start();
      const plain = r.stick(kind, 'plain', 16, false);
      sticks.push(plain);
      const skipped = r.next('skipped');
      plain.mount();
      assert.equal((await skipped)['reason'], 'NO_MARKER');
      assert.deepEqual(readdirSync(plain.mountPoint).filter((n) => n !== 'lost+found'), []);
      const s = r.stick(kind, 'stick');
      sticks.push(s);
      const done = r.next('done');
      s.mount();
      const d = await done;
      assert.equal(d['count'], 120);
      assert.equal(d['unmounted'], true);
      s.mounted = false; // the export unmounted it
      s.detach();
      assert.equal(ledger.counts().notExported, 0);
      const again = r.next('done');
      s.mount(); // the same stick again: nothing new
      assert.equal((await again)['count'], 0);
      await r.usb.stop(); // no export of its own while the test reads the image below
      s.mounted = false;
      s.detach();
      s.mount();
      assert.deepEqual(verifyChain(s.mountPoint, signer)[0]?.serials, Array.from({ length: 120 }, (_, i) => serialOf(i)));
    });

    for (const phase of ['write', 'fsync', 'rename', 'readback'] as const) {
      it(`umount -l during "${phase}": nothing marked; the next insert completes the export`, async () => {
        fill(ledger, 0, 300);
        const box: { stick?: TestStick } = {};
        let pulled = false;
        const r = make((p) => {
          if (p !== phase || pulled || !box.stick) return;
          pulled = true;
          box.stick.lazyUmount();
        });
        const s = r.stick(kind, 'stick');
        box.stick = s;
        sticks.push(s);
        await r.usb.start();
        const interrupted = r.next('interrupted');
        s.mount();
        const e = await step(interrupted, `the interruption at "${phase}"`);
        assert.ok(['USB_REMOVED', 'USB_IO_ERROR'].includes(String(e['reason'])), String(e['message']));
        assert.equal(ledger.counts().notExported, 300);
        assert.notEqual(ledger.exports.batches()[0]?.state, 'exported');
        await r.usb.idle();
        await r.gone(s.mountPoint);
        s.detach();
        const done = r.next('done');
        s.mount();
        assert.equal((await step(done, 'the export after re-inserting'))['count'], 300);
        assert.equal(ledger.counts().notExported, 0);
        await r.usb.stop(); // no export of its own while the test reads the image below
        s.mounted = false; // the export unmounted it
        s.detach();
        s.mount();
        assert.deepEqual(verifyChain(s.mountPoint, signer).map((c) => [c.sequence, c.serials.length]), [[1, 300]]);
        assert.ok(!chainFiles(s.mountPoint, 'plat-a', 'till-1').some((n) => n.endsWith('.partial')), 'no temporary files left');
      });
    }

    it('a full stick: "usb-full", nothing marked, nothing lost; a bigger stick takes it all', async () => {
      fill(ledger, 0, 9000); // ~2.5 MB of records
      const r = make();
      await r.usb.start();
      const tiny = r.stick(kind, 'tiny', kind === 'exfat' ? 2 : 1);
      sticks.push(tiny);
      const interrupted = r.next('interrupted');
      tiny.mount();
      const full = await interrupted;
      assert.equal(full['reason'], 'USB_FULL', String(full['message']));
      assert.equal(ledger.counts().notExported, 9000);
      await r.usb.idle();
      const big = r.stick(kind, 'big', 32);
      sticks.push(big);
      const done = r.next('done');
      big.mount();
      assert.equal((await done)['count'], 9000);
    });

    it('a read-only mount: left alone with the reason, nothing marked', async () => {
      fill(ledger, 0, 3);
      const r = make();
      await r.usb.start();
      const s = r.stick(kind, 'ro');
      sticks.push(s);
      const skipped = r.next('skipped');
      s.mount({ readOnly: true });
      assert.equal((await skipped)['reason'], 'USB_READ_ONLY');
      assert.equal(ledger.counts().notExported, 3);
      assert.equal(existsSync(path.join(s.mountPoint, 'COUPON-EXPORT', 'plat-a')), false);
    });
  });
}
