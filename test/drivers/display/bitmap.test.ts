import assert from 'node:assert/strict';
import { Bitmap } from '../../../drivers/display/bitmap.js';

describe('display/bitmap', () => {
  it('stores pixels in SSD1306 page order: byte = column of 8 rows, bit 0 on top', () => {
    const b = new Bitmap(128, 64);
    b.set(0, 0);
    b.set(3, 9); // page 1, column 3, bit 1
    b.set(127, 63); // page 7, last column, bit 7
    assert.equal(b.data[0], 0x01);
    assert.equal(b.data[128 + 3], 0x02);
    assert.equal(b.data[7 * 128 + 127], 0x80);
    assert.equal(b.data.length, 1024);
    assert.ok(b.get(3, 9));
    assert.ok(!b.get(3, 8));
  });

  it('clears pixels and ignores coordinates outside the bitmap', () => {
    const b = new Bitmap(16, 8);
    b.set(2, 2);
    b.set(2, 2, false);
    b.set(-1, 0);
    b.set(16, 0);
    b.set(0, 8);
    assert.ok(b.data.every((x) => x === 0));
    assert.equal(b.get(99, 99), false);
  });

  it('fills a clipped rectangle and inverts a region', () => {
    const b = new Bitmap(8, 8);
    b.fillRect(6, 6, 10, 10);
    assert.deepEqual([b.get(6, 6), b.get(7, 7), b.get(5, 5)], [true, true, false]);
    b.invert(0, 0, 8, 8);
    assert.deepEqual([b.get(6, 6), b.get(5, 5)], [false, true]);
    b.invert();
    assert.deepEqual([b.get(6, 6), b.get(5, 5)], [true, false]);
  });

  it('blits row glyphs MSB-left, overlays without clearing, and scales', () => {
    const b = new Bitmap(16, 8);
    b.set(0, 7);
    const glyph = { width: 3, height: 2, bits: Uint8Array.of(0b1010_0000, 0b0100_0000) };
    b.blit(glyph, 1, 1);
    assert.deepEqual([b.get(1, 1), b.get(2, 1), b.get(3, 1), b.get(2, 2), b.get(0, 7)], [true, false, true, true, true]);
    const s = new Bitmap(16, 8);
    s.blit(glyph, 0, 0, 2);
    assert.deepEqual([s.get(0, 0), s.get(1, 1), s.get(2, 0), s.get(4, 1), s.get(2, 2), s.get(3, 3)], [true, true, false, true, true, true]);
  });

  it('rejects sizes the panel layout cannot hold', () => {
    assert.throws(() => new Bitmap(128, 60), /multiple of 8/);
    assert.throws(() => new Bitmap(128, 64, new Uint8Array(10)), /10 bytes/);
  });

  it('compares and clones by content', () => {
    const a = new Bitmap(8, 8);
    a.set(1, 1);
    const c = a.clone();
    assert.ok(a.equals(c));
    c.set(2, 2);
    assert.ok(!a.equals(c));
    assert.ok(!a.equals(new Bitmap(16, 8)));
  });
});
