import assert from 'node:assert/strict';
import { captureStream } from '../../support/capture.js';
import { LogIndicator } from '../../../drivers/indicator/log.js';
import { memoryLogger } from '../../../device/logger.js';

const sink = captureStream;

describe('LogIndicator', () => {
  it('prints one plain line per signal without colour, and logs each', async () => {
    const { out, text } = sink();
    const { logger, lines } = memoryLogger();
    const ind = new LogIndicator({ logger, out, color: false });
    await ind.start();
    for (const s of ['accepted', 'duplicate', 'rejected', 'offline', 'attention', 'fault', 'clear'] as const) await ind.signal(s);
    await ind.stop();
    assert.deepEqual(text().split('\n'), [
      '✔ ACCEPTED  (green, beep)',
      '✘✘ ALREADY REDEEMED  (red, beep-beep)',
      '✘ REJECTED  (red, long beeeep)',
      '⚠ OFFLINE  (red+green, beep-beep-beep)',
      '! attention  (red flash)',
      '✘ FAULT  (red blinking until cleared)',
      '· fault cleared',
      '',
    ]);
    assert.deepEqual(lines.map((l) => l['signal']), ['accepted', 'duplicate', 'rejected', 'offline', 'attention', 'fault', 'clear']);
  });

  it('colours the verdicts: green accepted, red rejections, blinking red fault', async () => {
    const { out, text } = sink();
    const ind = new LogIndicator({ logger: memoryLogger().logger, out, color: true });
    await ind.signal('accepted');
    await ind.signal('rejected');
    await ind.signal('fault');
    const [a, r, f] = text().split('\n');
    assert.equal(a, '\x1b[32m✔ ACCEPTED  (green, beep)\x1b[0m');
    assert.ok(r?.startsWith('\x1b[31m✘ REJECTED'));
    assert.ok(f?.startsWith('\x1b[5;31m✘ FAULT'));
  });

  it('clear without a fault prints nothing', async () => {
    const { out, text } = sink();
    const ind = new LogIndicator({ logger: memoryLogger().logger, out, color: false });
    await ind.signal('accepted');
    await ind.signal('clear');
    assert.equal(text(), '✔ ACCEPTED  (green, beep)\n');
  });
});
