import assert from 'node:assert/strict';
import { GpioIndicator } from '../../../drivers/indicator/gpio.js';
import { FakeScheduler } from '../../../drivers/indicator/scheduler.js';
import { FakeGpioOutputs, type TimelineEntry } from '../../../drivers/gpio/fake.js';
import type { Signal } from '../../../drivers/indicator/port.js';
import { silentLogger } from '../../../device/logger.js';

const LINES = { green: { chip: 'gpiochip0', offset: 17 }, red: { chip: 'gpiochip0', offset: 27 }, buzzer: { chip: 'gpiochip0', offset: 22 } };

async function setup(): Promise<{ ind: GpioIndicator; sched: FakeScheduler; out: FakeGpioOutputs }> {
  const sched = new FakeScheduler();
  const out = new FakeGpioOutputs(() => sched.now());
  const ind = new GpioIndicator({ ...LINES, activeLow: false, backend: out, logger: silentLogger(), scheduler: sched });
  await ind.start();
  out.timeline.length = 0; // drop the all-off of start()
  return { ind, sched, out };
}

/** Compact "t:GRB" strings, e.g. "120:G--" (green on, red off, buzzer off). */
function compact(tl: TimelineEntry[]): string[] {
  return tl.map((e) => `${e.t}:${e.green ? 'G' : '-'}${e.red ? 'R' : '-'}${e.buzzer ? 'B' : '-'}`);
}

async function play(s: Signal, ms = 5000): Promise<string[]> {
  const { ind, sched, out } = await setup();
  await ind.signal(s);
  sched.advance(ms);
  return compact(out.timeline);
}

describe('GpioIndicator patterns (virtual time)', () => {
  it('accepted: one short beep with green, green for 1.5 s, then off', async () => {
    assert.deepEqual(await play('accepted'), ['0:G-B', '120:G--', '1500:---']);
  });

  it('duplicate: two 100 ms beeps with red, then off', async () => {
    assert.deepEqual(await play('duplicate'), ['0:-RB', '100:-R-', '200:-RB', '300:-R-', '1500:---']);
  });

  it('rejected: one long 600 ms beep with red, then off', async () => {
    assert.deepEqual(await play('rejected'), ['0:-RB', '600:-R-', '1500:---']);
  });

  it('attention: a short red flash without sound', async () => {
    assert.deepEqual(await play('attention'), ['0:-R-', '250:---']);
  });

  it('clear: all off at once', async () => {
    assert.deepEqual(await play('clear'), ['0:---']);
  });

  it('every signal has a distinct timeline', async () => {
    const all: Signal[] = ['accepted', 'duplicate', 'rejected', 'offline', 'attention', 'fault', 'clear'];
    const seen = new Set<string>();
    for (const s of all) seen.add((await play(s, 3000)).join(' '));
    assert.equal(seen.size, all.length);
  });

  it('fault blinks red 1 s on / 1 s off until another signal', async () => {
    const { ind, sched, out } = await setup();
    await ind.signal('fault');
    sched.advance(4500);
    assert.deepEqual(compact(out.timeline), ['0:-R-', '1000:---', '2000:-R-', '3000:---', '4000:-R-']);
    await ind.signal('clear');
    sched.advance(10_000);
    assert.deepEqual(compact(out.timeline).slice(5), ['4500:---']);
    assert.equal(sched.pending, 0);
  });

  it('a new signal cuts the running pattern', async () => {
    const { ind, sched, out } = await setup();
    await ind.signal('accepted');
    sched.advance(50);
    await ind.signal('duplicate');
    sched.advance(5000);
    assert.deepEqual(compact(out.timeline), ['0:G-B', '50:-RB', '150:-R-', '250:-RB', '350:-R-', '1550:---']);
  });

  it('stop() cancels the pattern and leaves everything off', async () => {
    const { ind, sched, out } = await setup();
    await ind.signal('fault');
    sched.advance(500);
    await ind.stop();
    sched.advance(5000);
    assert.deepEqual(out.current, { green: false, red: false, buzzer: false });
    assert.equal(out.started, false);
    assert.equal(sched.pending, 0);
    assert.deepEqual(compact(out.timeline).slice(0, 2), ['0:-R-', '500:---']);
  });

  it('a failing backend rejects the signal promise instead of throwing', async () => {
    const { ind, out } = await setup();
    out.failWith = Object.assign(new Error('line busy'), { code: 'GPIOD_FAILED' });
    const p = ind.signal('accepted');
    assert.ok(p instanceof Promise);
    await assert.rejects(p, /line busy/);
  });

  it('signal before start is an error through the promise', async () => {
    const ind = new GpioIndicator({ ...LINES, activeLow: false, backend: new FakeGpioOutputs(), logger: silentLogger() });
    await assert.rejects(ind.signal('accepted'), /before start/);
  });
});
