/**
 * The Indicator contract, run against every implementation we can build here,
 * and against real LEDs when KIOSK_TEST_GPIO names them:
 *   KIOSK_TEST_GPIO=gpiochip0:17,27,22 [KIOSK_TEST_GPIO_ACTIVE_LOW=1]
 * (green, red, buzzer offsets; the patterns then play for real, audibly).
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { FakeIndicator } from '../../../drivers/indicator/fake.js';
import { GpioIndicator } from '../../../drivers/indicator/gpio.js';
import { LogIndicator } from '../../../drivers/indicator/log.js';
import { FakeScheduler } from '../../../drivers/indicator/scheduler.js';
import { FakeGpioOutputs } from '../../../drivers/gpio/fake.js';
import type { Indicator, Signal } from '../../../drivers/indicator/port.js';
import { silentLogger } from '../../../device/logger.js';

const SIGNALS: Signal[] = ['accepted', 'duplicate', 'rejected', 'offline', 'attention', 'fault', 'clear'];

interface Subject {
  name: string;
  make(): Indicator;
}

const LINES = { green: { chip: 'gpiochip0', offset: 17 }, red: { chip: 'gpiochip0', offset: 27 }, buzzer: { chip: 'gpiochip0', offset: 22 } };

const subjects: Subject[] = [
  { name: 'FakeIndicator', make: () => new FakeIndicator() },
  { name: 'LogIndicator', make: () => new LogIndicator({ logger: silentLogger(), out: new PassThrough(), color: false }) },
  {
    name: 'GpioIndicator on FakeGpioOutputs',
    make: () => new GpioIndicator({ ...LINES, activeLow: false, backend: new FakeGpioOutputs(), logger: silentLogger(), scheduler: new FakeScheduler() }),
  },
];

const real = process.env['KIOSK_TEST_GPIO'];
if (real) {
  const [chip, offsets] = real.split(':');
  const [g, r, b] = (offsets ?? '').split(',').map(Number);
  subjects.push({
    name: `GpioIndicator on gpiod ${real}`,
    make: () =>
      new GpioIndicator({
        green: { chip: chip!, offset: g! },
        red: { chip: chip!, offset: r! },
        buzzer: { chip: chip!, offset: b! },
        activeLow: process.env['KIOSK_TEST_GPIO_ACTIVE_LOW'] === '1',
        backend: 'gpiod',
        logger: silentLogger(),
      }),
  });
}

for (const subject of subjects) {
  describe(`Indicator contract: ${subject.name}`, () => {
    it('has a name, starts, takes every signal through a promise, stops', async () => {
      const ind = subject.make();
      assert.ok(ind.name.length > 0);
      await ind.start();
      for (const s of SIGNALS) {
        const p = ind.signal(s);
        assert.ok(p instanceof Promise);
        await p;
      }
      await ind.stop();
    });

    it('a fault can be cut by another signal, and stop() after a fault is clean', async () => {
      const ind = subject.make();
      await ind.start();
      await ind.signal('fault');
      await ind.signal('accepted');
      await ind.signal('fault');
      await ind.stop();
    });

    it('can be started again after stop()', async () => {
      const ind = subject.make();
      await ind.start();
      await ind.stop();
      await ind.start();
      await ind.signal('clear');
      await ind.stop();
    });
  });
}

describe('FakeIndicator', () => {
  it('records each signal with the time from its clock', async () => {
    const sched = new FakeScheduler();
    const ind = new FakeIndicator(() => sched.now());
    await ind.start();
    await ind.signal('accepted');
    sched.advance(700);
    await ind.signal('clear');
    assert.deepEqual(ind.history, ['accepted', 'clear']);
    assert.deepEqual(ind.at, [0, 700]);
  });
});
