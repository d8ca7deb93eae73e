import assert from 'node:assert/strict';
import type { Bitmap } from '../../../drivers/display/bitmap.js';
import type { FakeI2cBus } from '../../../drivers/display/fake-i2c.js';
import { SAMPLE_STATUS } from '../../../drivers/display/sample-screens.js';
import type { Screen } from '../../../drivers/display/screen.js';
import { makeDisplay } from './helpers.js';

/**
 * Issue 4's target, in bytes so it is deterministic: the bytes written on the
 * bus for idle→ACCEPTED and back must be at most half of a full-frame redraw
 * measured in the same run. The screens are the benchmark's (bench/display.ts),
 * spelled out here so that editing the sample screens cannot loosen the test.
 */
const IDLE: Screen = { kind: 'idle', status: SAMPLE_STATUS };
const ACCEPTED: Screen = { kind: 'verdict', reason: 'ACCEPTED', title: 'Hotpot set for two', quantity: 2, serial: 'A7K3-0042', status: SAMPLE_STATUS };
const TARGET = 0.5;

/** Height of the ink in columns [x0, x1) of the top `rows` rows (0 when blank). */
function inkHeight(b: Bitmap, x0: number, x1: number, rows: number): number {
  let top = -1;
  let bottom = -1;
  for (let y = 0; y < rows; y++) {
    for (let x = x0; x < x1; x++) {
      if (!b.get(x, y)) continue;
      if (top < 0) top = y;
      bottom = y;
    }
  }
  return top < 0 ? 0 : bottom - top + 1;
}

async function costOf(bus: FakeI2cBus, show: () => Promise<void>): Promise<number> {
  const mark = bus.writes.length;
  await show();
  return bus.writes.slice(mark).reduce((n, w) => n + w.bytes.length, 0);
}

describe('display/bus budget (issue 4: a verdict change costs ≤ 0.5× a full frame)', () => {
  for (const language of ['en', 'zh'] as const) {
    it(`${language}: idle→ACCEPTED and ACCEPTED→idle each write at most half the bytes of a full frame`, async () => {
      const { display, bus } = makeDisplay({ language });
      await display.start();
      const full = await costOf(bus, () => display.show(IDLE));
      assert.ok(full >= 1024, `the first screen is a full frame: ${full} bytes`);
      const there = await costOf(bus, () => display.show(ACCEPTED));
      const accepted = bus.ram(64);
      const back = await costOf(bus, () => display.show(IDLE));
      await display.stop();
      assert.ok(there <= TARGET * full, `idle→ACCEPTED ${there} bytes = ${(there / full).toFixed(3)}× of ${full}`);
      assert.ok(back <= TARGET * full, `ACCEPTED→idle ${back} bytes = ${(back / full).toFixed(3)}× of ${full}`);
      // Not bought with a smaller verdict: the check mark (24-px icon) and the verdict word (16 px) stay big.
      assert.ok(inkHeight(accepted, 0, 24, 24) >= 16, `check mark ${inkHeight(accepted, 0, 24, 24)} px high`);
      assert.ok(inkHeight(accepted, 28, 128, 24) >= 14, `verdict word ${inkHeight(accepted, 28, 128, 24)} px high`);
    });
  }
});
