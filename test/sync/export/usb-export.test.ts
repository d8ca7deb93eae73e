/**
 * The USB export inside a whole kiosk built from fakes (sticks are
 * directories): the manager's screens, the attention signal, JSON events, and
 * scans answered during an export.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Screen } from '../../../drivers/display/screen.js';
import { FakeVolumeWatcher } from '../../../drivers/volume/fake.js';
import type { Ledger } from '../../../device/ledger/types.js';
import { silentLogger } from '../../../device/logger.js';
import { UsbExport, type ExportEvent } from '../../../sync/export/usb-export.js';
import { buildKiosk, reasonOf, type Harness } from '../../device/kiosk-harness.js';
import { issue, makeKeys, openTestLedger, removeDir, tempDir, type TestKeys } from '../../device/helpers.js';
import { makeExporter, signersFor, testSigner, verifyChain } from './helpers.js';

const CONFIG = { anyStick: false, folder: 'coupon-export', unmount: true, messageMs: 60_000 };

function waitFor(events: ExportEvent[], usb: UsbExport, state: string): Promise<ExportEvent> {
  return new Promise((resolve) => {
    const hit = events.find((e) => e.state === state);
    if (hit) return resolve(hit);
    const on = (e: ExportEvent): void => {
      if (e.state !== state) return;
      usb.off('export', on);
      resolve(e);
    };
    usb.on('export', on);
  });
}

describe('sync/export: USB export in the kiosk', () => {
  let dir: string;
  let ledger: Ledger;
  let keys: TestKeys;
  let h: Harness;
  let watcher: FakeVolumeWatcher;
  let usb: UsbExport;
  let events: ExportEvent[];
  const signer = testSigner('test-platform', 'till-7');

  beforeEach(async () => {
    dir = tempDir('kiosk-usb-');
    ledger = openTestLedger(dir);
    keys = makeKeys();
    h = buildKiosk({ keyring: keys.keyring, ledger, verdictScreenMs: 50 });
    watcher = new FakeVolumeWatcher();
    usb = new UsbExport({ watcher, exporter: makeExporter(ledger, signersFor(signer), { options: { chunkRecords: 2 } }), ui: h.kiosk, config: CONFIG, logger: silentLogger() });
    events = [];
    usb.on('export', (e) => events.push(e));
    await h.kiosk.start();
    await usb.start();
  });
  afterEach(async () => {
    await usb?.stop();
    await h.kiosk.stop();
    removeDir(dir);
  });

  function scan(n: number): Promise<void> {
    const before = h.verdicts.length;
    for (let i = 0; i < n; i++) h.scanner.emitLine(issue(keys));
    return h.verdictCount(before + n);
  }

  function stickAt(name: string, marked = true): string {
    const root = path.join(dir, name);
    mkdirSync(marked ? path.join(root, 'coupon-export') : root, { recursive: true });
    return root;
  }

  const shown = (): Screen[] => h.display.shown;
  const messages = (): string[] => shown().flatMap((s) => (s.kind === 'message' ? [s.message] : s.kind === 'progress' ? [`progress ${s.done}/${s.total}`] : []));

  it('exports on insert: progress, then "safe to remove" with the count, the attention signal, and the stick unmounted', async () => {
    await scan(5);
    await new Promise((r) => setTimeout(r, 80)); // the verdict period ends
    const root = stickAt('stick');
    watcher.insert(root);
    const done = await waitFor(events, usb, 'done');
    await usb.idle();
    const states = events.map((e) => e.state);
    assert.equal(states[0], 'started');
    assert.equal(states.at(-1), 'done');
    assert.ok(states.slice(1, -1).every((s) => s === 'progress') && states.length >= 3);
    assert.deepEqual(events.at(-2)?.['done'], 5);
    assert.equal(done['count'], 5);
    assert.equal((done['files'] as string[]).length, 2);
    assert.equal(done['unmounted'], true);
    assert.deepEqual(watcher.ejected, [root]);
    assert.deepEqual(messages().slice(-2), ['progress 5/5', 'safe-to-remove']);
    const last = shown().at(-1);
    assert.equal(last?.kind === 'message' && last.count, 5);
    assert.ok(h.indicator.history.filter((s) => s === 'attention').length >= 2, 'attention when the stick is taken and when it is done');
    assert.deepEqual(verifyChain(root, signer).map((c) => c.serials.length), [5]);
    assert.equal(ledger.counts().notExported, 0);
  });

  it('leaves a stick without the export folder alone, and says so until it is pulled', async () => {
    await scan(1);
    await new Promise((r) => setTimeout(r, 80));
    const root = stickAt('plain', false);
    watcher.insert(root);
    const skipped = await waitFor(events, usb, 'skipped');
    await usb.idle();
    assert.equal(skipped['reason'], 'NO_MARKER');
    assert.equal(messages().at(-1), 'usb-not-marked');
    watcher.remove(root);
    assert.equal(shown().at(-1)?.kind, 'idle');
    assert.equal(ledger.counts().notExported, 1);
  });

  it('takes a stick with only the marker file, creating the folder', async () => {
    await scan(2);
    const root = path.join(dir, 'marked-by-file');
    mkdirSync(root);
    writeFileSync(path.join(root, 'COUPON-EXPORT.TXT'), '');
    watcher.insert(root);
    assert.equal((await waitFor(events, usb, 'done'))['count'], 2);
  });

  it('a read-only stick: a clear message, nothing marked', async () => {
    await scan(1);
    await new Promise((r) => setTimeout(r, 80));
    watcher.insert(stickAt('ro'), { readOnly: true });
    const skipped = await waitFor(events, usb, 'skipped');
    await usb.idle();
    assert.equal(skipped['reason'], 'USB_READ_ONLY');
    assert.equal(messages().at(-1), 'usb-read-only');
    assert.equal(ledger.counts().notExported, 1);
  });

  it('a stick pulled mid-export: "export interrupted", nothing marked; the next insert completes it', async () => {
    await scan(6);
    await new Promise((r) => setTimeout(r, 80));
    const root = stickAt('yanked');
    usb.once('export', (e) => {
      if (e.state === 'started') {
        watcher.remove(root);
        rmSync(root, { recursive: true, force: true });
      }
    });
    watcher.insert(root);
    const interrupted = await waitFor(events, usb, 'interrupted');
    await usb.idle();
    assert.equal(interrupted['reason'], 'USB_REMOVED');
    assert.equal(messages().at(-1), 'export-interrupted');
    assert.equal(ledger.counts().notExported, 6);
    events.length = 0;
    const again = stickAt('again');
    watcher.insert(again);
    assert.equal((await waitFor(events, usb, 'done'))['count'], 6);
    assert.deepEqual(verifyChain(again, signer).map((c) => c.sequence), [1]);
  });

  it('answers scans during an export', async () => {
    await scan(30);
    await new Promise((r) => setTimeout(r, 80));
    const root = stickAt('busy');
    let during = 0;
    usb.on('export', (e) => {
      if (e.state === 'progress' && during === 0) {
        during++;
        h.scanner.emitLine(issue(keys));
      }
    });
    const verdictsBefore = h.verdicts.length;
    watcher.insert(root);
    await waitFor(events, usb, 'done');
    await h.verdictCount(verdictsBefore + 1);
    assert.equal(reasonOf(h.verdicts.at(-1)), 'ACCEPTED');
    assert.equal(ledger.counts().notExported, 1, 'the scan during the export waits for the next one');
  });
});

describe('Kiosk.setActivity', () => {
  it('never replaces a verdict: the export screen shows once the verdict period ends, and idle returns when cleared', async () => {
    const dir = tempDir('kiosk-act-');
    const ledger = openTestLedger(dir);
    const keys = makeKeys();
    const h = buildKiosk({ keyring: keys.keyring, ledger, verdictScreenMs: 60 });
    await h.kiosk.start();
    h.scanner.emitLine(issue(keys));
    await h.verdictCount(1);
    h.kiosk.setActivity({ kind: 'progress', label: 'export', done: 1, total: 2 }, 'attention');
    assert.equal(h.display.shown.at(-1)?.kind, 'verdict');
    assert.equal(h.indicator.history.at(-1), 'attention');
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(h.display.shown.at(-1)?.kind, 'progress');
    h.kiosk.setActivity({ kind: 'message', message: 'safe-to-remove', count: 2 });
    assert.equal(h.display.shown.at(-1)?.kind, 'message');
    h.kiosk.setActivity(undefined);
    assert.equal(h.display.shown.at(-1)?.kind, 'idle');
    await h.kiosk.stop();
    removeDir(dir);
  });
});
