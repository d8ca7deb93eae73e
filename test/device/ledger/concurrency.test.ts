import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { input, open, TempDirs } from './helpers.js';

const WORKER = fileURLToPath(new URL('./fixtures/redeem-worker.js', import.meta.url));

function nextMessage<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`worker exited with ${code} before answering`));
    child.once('exit', onExit);
    child.once('message', (msg) => {
      child.off('exit', onExit);
      resolve(msg as T);
    });
  });
}

describe('ledger across processes', () => {
  const tmp = new TempDirs();
  afterEach(() => tmp.cleanup());

  it('two processes redeeming the same 200 serials into one file accept each exactly once', async () => {
    const file = tmp.dbPath();
    open(file).close(); // created and migrated, as the service would have done
    const count = 200;
    const workers = [
      fork(WORKER, [file, String(count), 'term-a'], { stdio: 'inherit' }),
      fork(WORKER, [file, String(count), 'term-b', 'reverse'], { stdio: 'inherit' }),
    ];
    try {
      await Promise.all(workers.map((w) => nextMessage(w)));
      const results = workers.map((w) => nextMessage<{ accepted: number[] }>(w));
      const startAt = Date.now() + 50;
      for (const w of workers) w.send(startAt);
      const [a, b] = (await Promise.all(results)).map((r) => r.accepted);
      const all = [...a!, ...b!].sort((x, y) => x - y);
      assert.deepEqual(all, Array.from({ length: count }, (_, i) => i), 'each serial accepted by exactly one process');
      const ledger = open(file);
      assert.equal(ledger.counts().redemptions, count);
      for (const i of a!) assert.equal(ledger.find('plat-a', input(i).ctiHex)?.terminalId, 'term-a');
      for (const i of b!) assert.equal(ledger.find('plat-a', input(i).ctiHex)?.terminalId, 'term-b');
      assert.equal(ledger.integrityCheck(), 'ok');
      ledger.close();
    } finally {
      for (const w of workers) if (w.exitCode === null) w.kill();
    }
  });
});
