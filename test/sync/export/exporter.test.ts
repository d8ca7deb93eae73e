import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Ledger } from '../../../device/ledger/types.js';
import { EXPORT_FOLDER } from '../../../protocol/batch.js';
import { ExportError } from '../../../sync/export/errors.js';
import { EXPORT_PHASES, type ExportPhase } from '../../../sync/export/types.js';
import { openTestLedger, removeDir, tempDir } from '../../device/helpers.js';
import { input } from '../../device/ledger/helpers.js';
import { chainDir, chainFiles, fill, makeExporter, MARKED, serialOf, signersFor, stick, testSigner, verifyChain } from './helpers.js';

describe('sync/export: the exporter', () => {
  let dir: string;
  let ledger: Ledger;
  const a = testSigner('plat-a', 'T-a');
  const b = testSigner('plat-b', 'T-b');
  beforeEach(() => {
    dir = tempDir('kiosk-export-');
    ledger = openTestLedger(dir);
  });
  afterEach(() => {
    ledger.close();
    removeDir(dir);
  });

  it('writes each platform its own chained batch, marks everything, and a second export changes nothing', async () => {
    fill(ledger, 0, 7, 'plat-a');
    fill(ledger, 100, 103, 'plat-b');
    const s = stick(dir, 'stick');
    const ex = makeExporter(ledger, signersFor(a, b));
    const events: string[] = [];
    ex.on('started', (i) => events.push(`started ${i.total}`));
    ex.on('batch', (r) => events.push(`batch ${r.platformId} ${r.sequence} ${r.count}`));
    const out = await ex.run(s, MARKED);
    assert.equal(out.state, 'done');
    assert.equal(out.state === 'done' && out.count, 10);
    assert.deepEqual(events, ['started 10', 'batch plat-a 1 7', 'batch plat-b 1 3']);
    assert.deepEqual(chainFiles(s.root, 'plat-a', 'T-a'), ['batch-000001.jsonl', 'batch-000001.manifest']);
    assert.deepEqual(verifyChain(s.root, a).map((x) => x.serials.length), [7]);
    assert.deepEqual(verifyChain(s.root, b)[0]?.serials, [100, 101, 102].map(serialOf));
    assert.equal(ledger.counts().notExported, 0);
    const again = await makeExporter(ledger, signersFor(a, b)).run(s, MARKED);
    assert.deepEqual(again, { state: 'done', count: 0, batches: [], skipped: [] });
    assert.deepEqual(chainFiles(s.root, 'plat-a', 'T-a').length, 2);
  });

  it('gives a stick that already holds batches the next one, chained to the last', async () => {
    const s = stick(dir, 'stick');
    fill(ledger, 0, 3);
    await makeExporter(ledger, signersFor(a)).run(s, MARKED);
    fill(ledger, 3, 5);
    const out = await makeExporter(ledger, signersFor(a)).run(s, MARKED);
    assert.equal(out.state === 'done' && out.batches[0]?.sequence, 2);
    assert.deepEqual(verifyChain(s.root, a), [
      { sequence: 1, serials: [0, 1, 2].map(serialOf) },
      { sequence: 2, serials: [3, 4].map(serialOf) },
    ]);
  });

  it('splits a large export into batches of at most maxBatchRecords, in id order', async () => {
    fill(ledger, 0, 25);
    const s = stick(dir, 'stick');
    const out = await makeExporter(ledger, signersFor(a), { options: { maxBatchRecords: 10, chunkRecords: 3 } }).run(s, MARKED);
    assert.deepEqual(out.state === 'done' && out.batches.map((x) => x.count), [10, 10, 5]);
    const chain = verifyChain(s.root, a);
    assert.deepEqual(chain.flatMap((c) => c.serials), Array.from({ length: 25 }, (_, i) => serialOf(i)));
    assert.equal(ledger.counts().notExported, 0);
  });

  it('skips a platform that cannot sign, with the reason, and marks none of its records', async () => {
    fill(ledger, 0, 2, 'plat-a');
    fill(ledger, 10, 13, 'pem-only');
    const out = await makeExporter(ledger, signersFor(a)).run(stick(dir, 's'), MARKED);
    assert.equal(out.state, 'done');
    assert.deepEqual(out.state === 'done' && out.skipped, [{ platformId: 'pem-only', code: 'NO_TERMINAL_IDENTITY', message: 'no terminal key for pem-only', count: 3 }]);
    assert.deepEqual(ledger.exports.queue(), [{ platformId: 'pem-only', count: 3 }]);
  });

  it('exports what was there when it began; scans redeemed meanwhile wait for the next export', async () => {
    fill(ledger, 0, 5);
    let n = 1000;
    const ex = makeExporter(ledger, signersFor(a), { options: { chunkRecords: 1 }, hook: (phase) => void (phase === 'write' && ledger.redeem(input(n++))) });
    const out = await ex.run(stick(dir, 's'), MARKED);
    assert.equal(out.state === 'done' && out.count, 5);
    assert.equal(ledger.exports.queue()[0]?.count, 5);
  });

  for (const phase of EXPORT_PHASES) {
    it(`cut short at "${phase}": nothing is marked that is not committed, and the next export completes the same batch`, async () => {
      fill(ledger, 0, 6);
      const s = stick(dir, 's');
      let armed = true;
      const hook = (p: ExportPhase): void => {
        if (p === phase && armed) {
          armed = false;
          throw new ExportError('USB_REMOVED', `pulled at ${phase}`);
        }
      };
      const out = await makeExporter(ledger, signersFor(a), { hook, options: { chunkRecords: 2 } }).run(s, MARKED);
      assert.equal(out.state, 'interrupted');
      assert.equal(out.state === 'interrupted' && out.code, 'USB_REMOVED');
      assert.equal(ledger.exports.batches()[0]?.state ?? 'none', phase === 'prepare' || phase === 'write' || phase === 'fsync' ? 'prepared' : 'signed');
      assert.equal(ledger.counts().notExported, 6);
      assert.ok(!readdirSync(path.join(s.root, EXPORT_FOLDER), { recursive: true }).some((f) => String(f).endsWith('.partial')), 'no temp files left');
      const again = await makeExporter(ledger, signersFor(a)).run(s, MARKED);
      assert.equal(again.state, 'done');
      assert.equal(ledger.counts().notExported, 0);
      assert.deepEqual(ledger.exports.batches().map((x) => [x.sequence, x.state]), [[1, 'exported']]);
      assert.deepEqual(verifyChain(s.root, a).map((c) => c.serials.length), [6]);
    });
  }

  it('writes a batch signed before a crash again, byte for byte, on another stick', async () => {
    fill(ledger, 0, 4);
    const first = stick(dir, 'first');
    const hook = (p: ExportPhase): void => {
      if (p === 'rename') throw new ExportError('USB_REMOVED', 'pulled');
    };
    await makeExporter(ledger, signersFor(a), { hook }).run(first, MARKED);
    const dataOnFirst = readFileSync(path.join(chainDir(first.root, 'plat-a', 'T-a'), 'batch-000001.jsonl'));
    const second = stick(dir, 'second');
    const out = await makeExporter(ledger, signersFor(a)).run(second, MARKED);
    assert.equal(out.state, 'done');
    assert.deepEqual(readFileSync(path.join(chainDir(second.root, 'plat-a', 'T-a'), 'batch-000001.jsonl')), dataOnFirst);
    const manifest = ledger.exports.batches()[0]?.signed?.manifest;
    assert.deepEqual(new Uint8Array(readFileSync(path.join(chainDir(second.root, 'plat-a', 'T-a'), 'batch-000001.manifest'))), manifest);
  });

  it('refuses to overwrite a different batch with the same number (a restored ledger), marking nothing', async () => {
    fill(ledger, 0, 2);
    const s = stick(dir, 's');
    const folder = chainDir(s.root, 'plat-a', 'T-a');
    await makeExporter(ledger, signersFor(a)).run(stick(dir, 'other'), MARKED); // batch 1 elsewhere
    fill(ledger, 2, 3);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'batch-000002.manifest'), 'someone else');
    const out = await makeExporter(ledger, signersFor(a)).run(s, MARKED);
    assert.equal(out.state === 'interrupted' && out.code, 'SEQUENCE_CONFLICT');
    assert.equal(readFileSync(path.join(folder, 'batch-000002.manifest'), 'utf8'), 'someone else');
    assert.equal(ledger.counts().notExported, 1);
  });

  it('abandons an unsigned batch of a terminal the kiosk no longer is; its records join the new chain', async () => {
    fill(ledger, 0, 3);
    const pulled = (p: ExportPhase): void => {
      if (p === 'write') throw new ExportError('USB_REMOVED', 'pulled');
    };
    await makeExporter(ledger, signersFor(a), { hook: pulled }).run(stick(dir, 'x'), MARKED);
    assert.equal(ledger.exports.openBatch('plat-a')?.terminalId, 'T-a');
    const renamed = testSigner('plat-a', 'T-new');
    const out = await makeExporter(ledger, signersFor(renamed)).run(stick(dir, 'y'), MARKED);
    assert.equal(out.state === 'done' && out.batches[0]?.terminalId, 'T-new');
    assert.deepEqual(ledger.exports.batches().map((x) => [x.terminalId, x.sequence]), [['T-new', 1]]);
  });

  it('runs one export at a time per ledger', async () => {
    fill(ledger, 0, 1);
    ledger.exports.acquireLease({ owner: 'someone', pid: process.pid, at: Date.now() }, () => false);
    const out = await makeExporter(ledger, signersFor(a)).run(stick(dir, 's'), MARKED);
    assert.equal(out.state, 'skipped');
    assert.equal(out.state === 'skipped' && out.code, 'EXPORT_BUSY');
    ledger.exports.releaseLease('someone');
    ledger.exports.acquireLease({ owner: 'dead', pid: 2 ** 22 + 7, at: Date.now() }, () => false);
    assert.equal((await makeExporter(ledger, signersFor(a)).run(stick(dir, 's'), MARKED)).state, 'done', 'a dead holder is taken over');
  });
});
