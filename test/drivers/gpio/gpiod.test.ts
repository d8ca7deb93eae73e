import assert from 'node:assert/strict';
import { GpiodOutputs, type GpiodOptions } from '../../../drivers/gpio/gpiod.js';
import { GpioIndicator } from '../../../drivers/indicator/gpio.js';
import { FakeScheduler } from '../../../drivers/indicator/scheduler.js';
import { modeOf } from '../../../drivers/gpio/gpiod-version.js';
import { silentLogger } from '../../../device/logger.js';
import { FakeSpawn, flush } from './fake-spawn.js';

const V1 = 'gpioset (libgpiod) v1.6.3\nCopyright (C) 2017-2018 Bartosz Golaszewski\n';
const V2 = 'gpioset (libgpiod) v2.2.1\nCopyright (C) 2017-2023 Bartosz Golaszewski\n';
const HELP_I = 'Usage: gpioset [OPTIONS] <line=value>...\n  -i, --interactive\tset the lines then wait for additional set commands\n';
const HELP_NO_I = 'Usage: gpioset [OPTIONS] <line=value>...\n  -z, --daemonize\tset values then detach from the controlling terminal\n';
const OFFSETS = { green: { chip: 'gpiochip0', offset: 17 }, red: { chip: 'gpiochip0', offset: 27 }, buzzer: { chip: 'gpiochip0', offset: 22 } };

function fake(version: string, help = ''): FakeSpawn {
  const f = new FakeSpawn();
  f.replies.set('gpioset --version', { stdout: version });
  f.replies.set('gpioset --help', { stdout: help });
  return f;
}

function outputs(f: FakeSpawn, extra: Partial<GpiodOptions> = {}): GpiodOutputs {
  return new GpiodOutputs({ ...OFFSETS, activeLow: false, logger: silentLogger(), spawn: f.spawn, ...extra });
}

/** Play a signal through the indicator in virtual time, letting the fake processes react at each step. */
async function playAccepted(f: FakeSpawn, activeLow = false): Promise<void> {
  const sched = new FakeScheduler();
  const ind = new GpioIndicator({ ...OFFSETS, activeLow, backend: outputs(f, { activeLow }), logger: silentLogger(), scheduler: sched });
  await ind.start();
  await ind.signal('accepted');
  for (let t = 0; t < 2000; t += 10) {
    sched.advance(10);
    await flush(3);
  }
  await ind.stop();
  await flush();
}

describe('gpiod backend (fake gpioset)', () => {
  it('tells the modes apart from --version and --help', () => {
    assert.equal(modeOf(V1, ''), 'v1');
    assert.equal(modeOf(V2, HELP_I), 'v2-interactive');
    assert.equal(modeOf(V2, HELP_NO_I), 'v2');
    assert.throws(() => modeOf('gpioset something', ''), { code: 'GPIOD_FAILED' });
  });

  it('v2.1+: one interactive gpioset holds the lines; each step is a "set" line on stdin', async () => {
    const f = fake(V2, HELP_I);
    await playAccepted(f);
    assert.deepEqual(f.commands, ['gpioset --version', 'gpioset --help', 'gpioset -C coupon-kiosk -c gpiochip0 -i 17=0 27=0 22=0']);
    assert.deepEqual(f.holders[0]?.input, ['set 17=1 27=0 22=1', 'set 17=1 27=0 22=0', 'set 17=0 27=0 22=0', 'exit']);
    assert.equal(f.holders[0]?.exited, true);
  });

  it('v1: restarts gpioset --mode=signal on each change, the old one ended first', async () => {
    const f = fake(V1);
    await playAccepted(f);
    assert.deepEqual(f.commands, [
      'gpioset --version',
      'gpioset --mode=signal gpiochip0 17=0 27=0 22=0',
      'gpioset --mode=signal gpiochip0 17=1 27=0 22=1',
      'gpioset --mode=signal gpiochip0 17=1 27=0 22=0',
      'gpioset --mode=signal gpiochip0 17=0 27=0 22=0',
    ]);
    const holders = f.holders;
    assert.ok(holders.every((h) => h.gone), 'every holder ended at stop()');
    assert.deepEqual(holders.map((h) => h.othersAlive), [0, 0, 0, 0], 'no two holders at once (the lines would be busy)');
  });

  it('v2 without interactive mode: restarts a holding gpioset -c CHIP', async () => {
    const f = fake(V2, HELP_NO_I);
    await playAccepted(f);
    assert.deepEqual(f.commands.slice(2), [
      'gpioset -C coupon-kiosk -c gpiochip0 17=0 27=0 22=0',
      'gpioset -C coupon-kiosk -c gpiochip0 17=1 27=0 22=1',
      'gpioset -C coupon-kiosk -c gpiochip0 17=1 27=0 22=0',
      'gpioset -C coupon-kiosk -c gpiochip0 17=0 27=0 22=0',
    ]);
  });

  it('active-low lines are driven inverted (off = 1)', async () => {
    const f = fake(V2, HELP_I);
    await playAccepted(f, true);
    assert.equal(f.commands[2], 'gpioset -C coupon-kiosk -c gpiochip0 -i 17=1 27=1 22=1');
    assert.deepEqual(f.holders[0]?.input, ['set 17=0 27=1 22=0', 'set 17=0 27=1 22=1', 'set 17=1 27=1 22=1', 'exit']);
  });

  it('v2: lines by name go to one gpioset without -c, offsets per chip', async () => {
    const f = fake(V2, HELP_I);
    const o = outputs(f, { green: { name: 'LED_GREEN' }, red: { name: 'LED_RED' }, buzzer: { chip: 'gpiochip1', offset: 3 } });
    await o.start();
    await o.stop();
    assert.deepEqual(f.commands.slice(2), ['gpioset -C coupon-kiosk -i LED_GREEN=0 LED_RED=0', 'gpioset -C coupon-kiosk -c gpiochip1 -i 3=0']);
  });

  it('v1: names are resolved with gpiofind first', async () => {
    const f = fake(V1);
    f.replies.set('gpiofind LED_GREEN', { stdout: 'gpiochip0 5\n' });
    await outputs(f, { green: { name: 'LED_GREEN' } }).start();
    assert.deepEqual(f.commands.slice(1), ['gpiofind LED_GREEN', 'gpioset --mode=signal gpiochip0 5=0 27=0 22=0']);
  });

  it('v1: an unknown name is a clear error', async () => {
    const f = fake(V1);
    f.replies.set('gpiofind NOPE', { code: 1 });
    await assert.rejects(outputs(f, { red: { name: 'NOPE' } }).start(), { code: 'GPIO_LINE_NOT_FOUND', message: /"NOPE".*gpioinfo/ });
  });

  it('a missing gpioset names the package and the group', async () => {
    const f = fake(V2);
    f.missing = true;
    await assert.rejects(outputs(f).start(), { code: 'GPIOD_MISSING', message: /apt-get install gpiod.*group gpio/ });
  });

  it('a busy line fails start() with gpioset\'s own message', async () => {
    const f = fake(V2, HELP_I);
    f.failHolder = { code: 1, stderr: 'gpioset: unable to request lines on chip /dev/gpiochip0: Device or resource busy\n' };
    await assert.rejects(outputs(f).start(), { code: 'GPIOD_FAILED', message: /Device or resource busy.*gpioinfo/ });
  });

  it('a holder that dies later fails the next set(), and the one after retries', async () => {
    const f = fake(V1);
    const o = outputs(f);
    await o.start();
    f.holders[0]?.exit(1);
    await flush();
    await assert.rejects(o.set({ green: true, red: false, buzzer: false }), { code: 'GPIOD_FAILED' });
    await o.set({ green: true, red: false, buzzer: false });
    assert.equal(f.commands.at(-1), 'gpioset --mode=signal gpiochip0 17=1 27=0 22=0');
  });

  it('set() before start() is rejected', async () => {
    await assert.rejects(outputs(fake(V1)).set({ green: true, red: false, buzzer: false }), { code: 'GPIO_NOT_STARTED' });
  });
});
