import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OnoffOutputs, loadOnoff, sysfsChipBase, type OnoffGpio } from '../../../drivers/gpio/onoff.js';
import { silentLogger } from '../../../device/logger.js';

const OFFSETS = { green: { chip: 'gpiochip0', offset: 17 }, red: { chip: 'gpiochip0', offset: 27 }, buzzer: { chip: 'gpiochip0', offset: 22 } };

function fakeGpioClass(log: string[]): new (gpio: number, direction: 'high' | 'low') => OnoffGpio {
  return class implements OnoffGpio {
    constructor(private readonly gpio: number, direction: 'high' | 'low') {
      log.push(`export ${gpio} ${direction}`);
    }
    async write(value: 0 | 1): Promise<void> {
      log.push(`${this.gpio}=${value}`);
    }
    unexport(): void {
      log.push(`unexport ${this.gpio}`);
    }
  };
}

describe('onoff legacy backend (fake Gpio)', () => {
  it('exports the sysfs numbers (chip base + offset) off, writes levels, unexports at stop', async () => {
    const log: string[] = [];
    const o = new OnoffOutputs({ ...OFFSETS, activeLow: false, logger: silentLogger(), Gpio: fakeGpioClass(log), chipBase: () => 512 });
    await o.start();
    await o.set({ green: true, red: false, buzzer: true });
    await o.stop();
    assert.deepEqual(log, [
      'export 529 low', 'export 539 low', 'export 534 low',
      '529=1', '539=0', '534=1',
      '529=0', '539=0', '534=0',
      'unexport 529', 'unexport 539', 'unexport 534',
    ]);
  });

  it('inverts for active-low wiring', async () => {
    const log: string[] = [];
    const o = new OnoffOutputs({ ...OFFSETS, activeLow: true, logger: silentLogger(), Gpio: fakeGpioClass(log), chipBase: () => 0 });
    await o.start();
    await o.set({ green: true, red: false, buzzer: false });
    assert.deepEqual(log, ['export 17 high', 'export 27 high', 'export 22 high', '17=0', '27=1', '22=1']);
  });

  it('refuses line names (sysfs has none)', async () => {
    const o = new OnoffOutputs({ ...OFFSETS, red: { name: 'LED_RED' }, activeLow: false, logger: silentLogger(), Gpio: fakeGpioClass([]), chipBase: () => 0 });
    await assert.rejects(o.start(), { code: 'ONOFF_LINE', message: /"LED_RED".*backend gpiod/ });
  });

  it('without the onoff module, says how to install it and what to prefer', async () => {
    await assert.rejects(loadOnoff(), { code: 'ONOFF_MISSING', message: /npm install onoff \(legacy sysfs GPIO; prefer backend gpiod\)/ });
  });

  it('finds a chip\'s sysfs base through /sys/class/gpio/gpiochipBASE/device/gpiochipN', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'sysfs-gpio-'));
    try {
      for (const [dir, chip, base] of [['gpiochip512', 'gpiochip0', '512'], ['gpiochip570', 'gpiochip1', '570']] as const) {
        mkdirSync(path.join(root, dir, 'device', chip), { recursive: true });
        writeFileSync(path.join(root, dir, 'base'), `${base}\n`);
      }
      assert.equal(sysfsChipBase('gpiochip1', root), 570);
      assert.equal(sysfsChipBase('/dev/gpiochip0', root), 512);
      assert.throws(() => sysfsChipBase('gpiochip9', root), { code: 'ONOFF_LINE' });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
