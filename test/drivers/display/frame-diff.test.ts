import assert from 'node:assert/strict';
import { Bitmap } from '../../../drivers/display/bitmap.js';
import { dirtyWindows, windowData } from '../../../drivers/display/frame-diff.js';

describe('display/frame-diff', () => {
  it('sends the whole panel when there is no previous frame', () => {
    assert.deepEqual(dirtyWindows(undefined, new Bitmap(128, 32)), [{ col0: 0, col1: 127, page0: 0, page1: 3 }]);
  });

  it('sends nothing for an identical frame, and only the changed span of a changed page', () => {
    const a = new Bitmap(128, 64);
    const b = a.clone();
    assert.deepEqual(dirtyWindows(a, b), []);
    b.set(40, 20);
    b.set(45, 22);
    assert.deepEqual(dirtyWindows(a, b), [{ col0: 40, col1: 45, page0: 2, page1: 2 }]);
  });

  it('merges neighbouring pages when one window is cheaper, keeps far-apart spans separate', () => {
    const a = new Bitmap(128, 64);
    const near = a.clone();
    near.set(10, 3); // page 0
    near.set(11, 12); // page 1
    assert.deepEqual(dirtyWindows(a, near), [{ col0: 10, col1: 11, page0: 0, page1: 1 }]);
    const far = a.clone();
    far.set(0, 3);
    far.set(127, 12);
    assert.deepEqual(dirtyWindows(a, far), [
      { col0: 0, col1: 0, page0: 0, page1: 0 },
      { col0: 127, col1: 127, page0: 1, page1: 1 },
    ]);
  });

  it('splits a page into several spans only when the gap costs more than a new window', () => {
    const a = new Bitmap(128, 8);
    const b = a.clone();
    b.set(10, 0);
    b.set(14, 0); // 3 clean columns between: cheaper to send them than to open a window
    b.set(100, 0); // far away: its own window
    assert.deepEqual(dirtyWindows(a, b), [
      { col0: 10, col1: 14, page0: 0, page1: 0 },
      { col0: 100, col1: 100, page0: 0, page1: 0 },
    ]);
  });

  it('sends a gap along while it costs less bus time than a new window (94 bits = 10.4 bytes)', () => {
    const spans = (gap: number): number => {
      const a = new Bitmap(128, 8);
      const b = a.clone();
      b.set(20, 0);
      b.set(20 + gap + 1, 0);
      return dirtyWindows(a, b).length;
    };
    assert.equal(spans(10), 1);
    assert.equal(spans(11), 2);
  });

  it('extracts window bytes in horizontal-addressing order', () => {
    const f = new Bitmap(128, 16);
    f.data[5] = 1;
    f.data[6] = 2;
    f.data[128 + 5] = 3;
    f.data[128 + 6] = 4;
    assert.deepEqual([...windowData(f, { col0: 5, col1: 6, page0: 0, page1: 1 })], [1, 2, 3, 4]);
  });
});
