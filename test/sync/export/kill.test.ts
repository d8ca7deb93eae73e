/**
 * kill -9 of the kiosk service at each export phase (KIOSK_FAULT_EXPORT makes
 * the child SIGKILL itself there, like a power cut): after a restart the
 * ledger and the stick agree. Real `kiosk start` processes, a real ext4 stick
 * on a loop device under the watched root (root only).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openLedger } from '../../../device/ledger/sqlite-ledger.js';
import { silentLogger } from '../../../device/logger.js';
import { verifyBatch, type ChainState } from '../../../protocol/batch-verify.js';
import { EXPORT_PHASES } from '../../../sync/export/types.js';
import { spawnKiosk } from '../../device/spawn-kiosk.js';
import { removeDir, tempDir } from '../../device/helpers.js';
import { writeIdentity } from '../../support/identity.js';
import { requireMounts, TestStick } from '../../support/mounts.js';
import { fill, serialOf } from './helpers.js';

const PLATFORM = 'plat-a';
const N = 2500; // more than two write chunks (1000 records each)

describe('sync/export: kill -9 of the kiosk at each export phase', function () {
  this.timeout(90_000);
  let dir: string;
  let home: string;
  let media: string;
  let stick: TestStick | undefined;

  beforeEach(function () {
    requireMounts(this, 'ext4');
    dir = tempDir('kiosk-kill-');
    home = path.join(dir, 'home');
    media = path.join(dir, 'media');
    mkdirSync(home, { mode: 0o700 });
    mkdirSync(media);
    writeFileSync(path.join(home, 'config.json'), JSON.stringify({ terminalId: 'till-1', usb: { pollMs: 100, unmount: false } }));
    const ledger = openLedger(path.join(home, 'ledger.sqlite'), { logger: silentLogger() });
    fill(ledger, 0, N, PLATFORM);
    ledger.close();
  });
  afterEach(() => {
    stick?.cleanup();
    stick = undefined;
    if (dir) removeDir(dir);
  });

  function startKiosk(env: Record<string, string> = {}): ReturnType<typeof spawnKiosk> {
    return spawnKiosk(['start', '--home', home, '--simulate', '--display', 'none', '--json', '--usb-root', media], { env });
  }

  /** What the stick holds, checked like the platform would, against what the ledger says was exported. */
  function agree(publicKey: Parameters<typeof verifyBatch>[2]['terminalKey']): void {
    const ledger = openLedger(path.join(home, 'ledger.sqlite'), { logger: silentLogger() });
    try {
      const batches = ledger.exports.batches();
      assert.deepEqual(batches.map((b) => [b.sequence, b.state]), [[1, 'exported']]);
      assert.equal(ledger.counts().notExported, 0);
      const folder = path.join(stick!.mountPoint, 'coupon-export', PLATFORM, 'till-a');
      const names = readdirSync(folder).sort();
      assert.deepEqual(names, ['batch-000001.jsonl', 'batch-000001.manifest'], 'exactly the committed batch, no temporary files');
      const chain: ChainState = { previousManifestHash: null, previousSequence: 0 };
      const v = verifyBatch(readFileSync(path.join(folder, names[1]!)), readFileSync(path.join(folder, names[0]!)), { terminalKey: publicKey, ...chain });
      assert.ok(v.ok, !v.ok ? v.message : '');
      assert.equal(v.manifestSha256, batches[0]?.signed?.manifestSha256);
      assert.deepEqual(v.records.map((r) => r.serial), Array.from({ length: N }, (_, i) => serialOf(i)));
    } finally {
      ledger.close();
    }
  }

  for (const phase of EXPORT_PHASES) {
    it(`killed at "${phase}": the restarted kiosk completes the same batch; ledger and stick agree`, async () => {
      const { publicKey } = writeIdentity(home, PLATFORM, { terminalId: 'till-a' });
      stick = TestStick.create('ext4', dir, 'stick', path.join(media, 'stick'), 16);
      stick.mount();
      mkdirSync(path.join(stick.mountPoint, 'coupon-export'));
      const doomed = startKiosk({ KIOSK_FAULT_EXPORT: phase });
      assert.equal(await doomed.done, 'SIGKILL');
      assert.ok(doomed.events.some((e) => e['event'] === 'export' && e['state'] === 'started'));
      assert.ok(!doomed.events.some((e) => e['state'] === 'done'));
      const restarted = startKiosk();
      await restarted.waitFor((e) => e['event'] === 'export' && (e['state'] === 'done' || e['state'] === 'interrupted'));
      const outcome = restarted.events.find((e) => e['state'] === 'done' || e['state'] === 'interrupted');
      assert.equal(outcome?.['state'], 'done', JSON.stringify(outcome));
      restarted.child.kill('SIGTERM');
      assert.equal(await restarted.done, 0);
      agree(publicKey);
    });
  }
});
