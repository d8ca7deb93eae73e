import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { FakeI2cBus } from '../../../drivers/display/fake-i2c.js';

const cmd = (...b: number[]): Buffer => Buffer.from([0x00, ...b]);
const data = (...b: number[]): Buffer => Buffer.from([0x40, ...b]);

async function send(bus: FakeI2cBus, ...bufs: Buffer[]): Promise<void> {
  for (const b of bufs) await bus.i2cWrite(0x3c, b.length, b);
}

describe('display/fake-i2c', () => {
  it('fills a column/page window in horizontal mode, wrapping to the next page', async () => {
    const bus = new FakeI2cBus();
    await send(bus, cmd(0x20, 0x00, 0x21, 10, 12, 0x22, 2, 3), data(1, 2, 3, 4, 5, 6));
    assert.deepEqual([...bus.gddram.subarray(2 * 128 + 10, 2 * 128 + 13)], [1, 2, 3]);
    assert.deepEqual([...bus.gddram.subarray(3 * 128 + 10, 3 * 128 + 13)], [4, 5, 6]);
    assert.equal(bus.gddram.reduce((n, b) => n + (b ? 1 : 0), 0), 6, 'nothing outside the window');
  });

  it('wraps the 7th byte of a 6-byte window to its start', async () => {
    const bus = new FakeI2cBus();
    await send(bus, cmd(0x20, 0x00, 0x21, 0, 2, 0x22, 0, 1), data(1, 2, 3, 4, 5, 6, 9));
    assert.equal(bus.gddram[0], 9);
  });

  it('follows vertical and page addressing modes and commands split across writes', async () => {
    const bus = new FakeI2cBus();
    await send(bus, cmd(0x20), cmd(0x01, 0x21, 5), cmd(6, 0x22, 0, 1), data(1, 2, 3, 4));
    assert.deepEqual([bus.gddram[5], bus.gddram[128 + 5], bus.gddram[6], bus.gddram[128 + 6]], [1, 2, 3, 4]);
    await send(bus, cmd(0x20, 0x02, 0xb4, 0x03, 0x11), data(7, 8));
    assert.deepEqual([bus.gddram[4 * 128 + 0x13], bus.gddram[4 * 128 + 0x14]], [7, 8]);
    assert.deepEqual(bus.errors, []);
  });

  it('tracks display state and reports protocol mistakes', async () => {
    const bus = new FakeI2cBus();
    await send(bus, cmd(0xaf, 0x81, 0x10, 0xa1, 0xc8, 0xa7, 0xa8, 31), Buffer.from([0x80, 0xaf]));
    assert.deepEqual(bus.state, { on: true, contrast: 0x10, segRemap: true, comScanDec: true, inverted: true, entireOn: false, rows: 32 });
    assert.equal(bus.errors.length, 1);
  });

  it('NACKs other addresses, injected failures and writes after close', async () => {
    const bus = new FakeI2cBus();
    await assert.rejects(bus.i2cWrite(0x3d, 2, cmd(0xaf)), /0x3d/);
    bus.failNext();
    await assert.rejects(bus.i2cWrite(0x3c, 2, cmd(0xaf)), /EREMOTEIO/);
    await bus.close();
    await assert.rejects(bus.i2cWrite(0x3c, 2, cmd(0xaf)), /closed/);
    assert.equal(bus.writes.length, 0);
  });

  it('renders the lit panel to a PNG with a bezel; a pixel maps to a scale×scale dot', async () => {
    const bus = new FakeI2cBus();
    await send(bus, cmd(0x20, 0x00, 0xa1, 0xc8, 0x81, 0xff, 0xaf, 0x21, 0, 127, 0x22, 0, 7), data(0x01));
    const png = PNG.sync.read(bus.toPng(4));
    const bezel = 8;
    assert.deepEqual([png.width, png.height], [128 * 4 + 2 * bezel, 64 * 4 + 2 * bezel]);
    const px = (x: number, y: number): number => png.data[(y * png.width + x) * 4 + 2]!;
    assert.ok(px(bezel, bezel) > 200, 'pixel (0,0) lit, bluish-white');
    assert.ok(px(bezel + 4, bezel) < 50, 'pixel (1,0) dark');
    await send(bus, cmd(0xae));
    const off = PNG.sync.read(bus.toPng(4));
    assert.ok(off.data[(bezel * off.width + bezel) * 4 + 2]! < 50, 'display off shows nothing');
  });

  it('mirrors the picture when segment remap is off, like the glass does', async () => {
    const bus = new FakeI2cBus();
    await send(bus, cmd(0x20, 0x00, 0xa0, 0xc8, 0xaf, 0x21, 0, 127, 0x22, 0, 7), data(0x01));
    const png = PNG.sync.read(bus.toPng(1));
    const bezel = 2;
    assert.ok(png.data[(bezel * png.width + bezel + 127) * 4 + 2]! > 100);
  });
});
