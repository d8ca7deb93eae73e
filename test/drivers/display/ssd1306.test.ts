import assert from 'node:assert/strict';
import { Bitmap } from '../../../drivers/display/bitmap.js';
import { FakeI2cBus } from '../../../drivers/display/fake-i2c.js';
import { renderScreen } from '../../../drivers/display/layout.js';
import { DisplayError } from '../../../drivers/display/port.js';
import type { Screen } from '../../../drivers/display/screen.js';
import { initSequence } from '../../../drivers/display/ssd1306-protocol.js';
import { openI2cBus } from '../../../drivers/display/ssd1306.js';
import { UnifontSource } from '../../../drivers/display/unifont.js';
import { FIXTURE_HEX, NOW, STATUS, makeDisplay } from './helpers.js';

const IDLE: Screen = { kind: 'idle', status: STATUS };
const ACCEPTED: Screen = { kind: 'verdict', reason: 'ACCEPTED', title: 'Hotpot set', quantity: 2, serial: 'A7K3-0042', status: STATUS };

async function expected(screen: Screen, language: 'en' | 'zh' = 'en', height: 64 | 32 = 64): Promise<Bitmap> {
  const font = new UnifontSource(FIXTURE_HEX);
  await font.load();
  return renderScreen(screen, { width: 128, height, language, font, now: NOW });
}

function bytesSince(bus: FakeI2cBus, mark: number): number {
  return bus.writes.slice(mark).reduce((n, w) => n + w.bytes.length, 0);
}

describe('display/ssd1306', () => {
  it('initialises the panel with the datasheet sequence, one command transaction', async () => {
    const { display, bus } = makeDisplay({ contrast: 0x42 });
    await display.start();
    assert.equal(bus.writes.length, 1);
    const bytes = [...bus.writes[0]!.bytes];
    assert.equal(bytes[0], 0x00, 'command control byte');
    assert.deepEqual(bytes.slice(1), initSequence({ height: 64, contrast: 0x42, flip: false }));
    assert.deepEqual(bytes.slice(1, 6), [0xae, 0xd5, 0x80, 0xa8, 63]);
    const at = (op: number): number | undefined => bytes[bytes.indexOf(op) + 1];
    assert.equal(at(0xda), 0x12);
    assert.equal(at(0x8d), 0x14);
    assert.equal(at(0x81), 0x42);
    assert.ok(bytes.includes(0xa1) && bytes.includes(0xc8));
    assert.equal(bytes[bytes.length - 1], 0xaf);
    assert.deepEqual([bus.state.on, bus.state.contrast, bus.errors.length], [true, 0x42, 0]);
    await display.stop();
  });

  it('initialises a 128×32 panel upside down when flipped', async () => {
    const { display, bus } = makeDisplay({ height: 32, flip: true });
    await display.start();
    const bytes = [...bus.writes[0]!.bytes];
    assert.equal(bytes[bytes.indexOf(0xa8) + 1], 31);
    assert.equal(bytes[bytes.indexOf(0xda) + 1], 0x02);
    assert.ok(bytes.includes(0xa0) && bytes.includes(0xc0) && !bytes.includes(0xa1) && !bytes.includes(0xc8));
    assert.equal(bus.state.rows, 32);
    await display.show(ACCEPTED);
    assert.ok(bus.ram(32).equals(await expected(ACCEPTED, 'en', 32)));
    await display.stop();
  });

  it('puts exactly the layout bitmap into the panel RAM, in both languages', async () => {
    for (const language of ['en', 'zh'] as const) {
      const { display, bus } = makeDisplay({ language });
      await display.start();
      for (const screen of [IDLE, ACCEPTED, IDLE]) {
        await display.show(screen);
        assert.ok(bus.ram(64).equals(await expected(screen, language)), `${screen.kind} ${language}`);
      }
      assert.deepEqual(bus.errors, []);
      await display.stop();
    }
  });

  it('sends only what changed: idle→ACCEPTED costs less than a full frame, the same screen again costs nothing', async () => {
    const { display, bus } = makeDisplay();
    await display.start();
    let mark = bus.writes.length;
    await display.show(IDLE);
    const full = bytesSince(bus, mark);
    assert.ok(full >= 1024 && full < 1100, `full frame ${full} bytes`);
    mark = bus.writes.length;
    await display.show(ACCEPTED);
    const diff = bytesSince(bus, mark);
    assert.ok(diff > 0 && diff < full, `idle→ACCEPTED ${diff} of ${full}`);
    mark = bus.writes.length;
    await display.show(ACCEPTED);
    assert.equal(bus.writes.length, mark);
    assert.equal(display.bytesWritten, bus.bytesWritten);
    await display.stop();
  });

  it('coalesces: ten show() calls in a row end on the last screen without drawing all ten', async () => {
    const { display, bus } = makeDisplay();
    await display.start();
    const screens: Screen[] = Array.from({ length: 10 }, (_, i) => ({ kind: 'progress', label: 'export', done: i, total: 9, status: { ...STATUS, pending: i } }));
    const mark = bus.writes.length;
    await Promise.all(screens.map((s) => display.show(s)));
    assert.ok(bus.ram(64).equals(await expected(screens[9]!)));
    assert.ok(bytesSince(bus, mark) <= 2 * 1100, `drew at most the first and the last: ${bytesSince(bus, mark)} bytes`);
    await display.stop();
  });

  it('splits data into transactions of at most chunkSize bytes after the control byte', async () => {
    const { display, bus } = makeDisplay({ chunkSize: 32 });
    await display.start();
    await display.show(ACCEPTED);
    const data = bus.writes.filter((w) => w.bytes[0] === 0x40);
    assert.ok(data.length >= 32);
    assert.ok(data.every((w) => w.bytes.length <= 33));
    assert.ok(bus.ram(64).equals(await expected(ACCEPTED)));
    await display.stop();
  });

  it('a write failure rejects with DISPLAY_IO; the next show() re-initialises and redraws in full', async () => {
    const { display, bus } = makeDisplay();
    await display.start();
    await display.show(IDLE);
    bus.failNext(1);
    await assert.rejects(display.show(ACCEPTED), (err: unknown) => err instanceof DisplayError && err.code === 'DISPLAY_IO' && /0x3c/.test(err.message));
    bus.gddram.fill(0xff); // the panel lost power: its RAM is garbage now
    const mark = bus.writes.length;
    await display.show(ACCEPTED);
    assert.deepEqual([...bus.writes[mark]!.bytes.subarray(1)], initSequence({ height: 64, contrast: 0xcf, flip: false }));
    assert.ok(bus.ram(64).equals(await expected(ACCEPTED)));
    await display.stop();
  });

  it('fails to start with DISPLAY_OPEN_FAILED when the bus or the panel is not there', async () => {
    const noBus = makeDisplay({ openBus: async () => Promise.reject(new Error('ENOENT /dev/i2c-1')) }).display;
    await assert.rejects(noBus.start(), (e: unknown) => e instanceof DisplayError && e.code === 'DISPLAY_OPEN_FAILED' && /i2c-1/.test(e.message));
    const bus = new FakeI2cBus({ address: 0x3d });
    const wrongAddress = makeDisplay({}, bus).display;
    await assert.rejects(wrongAddress.start(), (e: unknown) => e instanceof DisplayError && e.code === 'DISPLAY_OPEN_FAILED' && /0x3c/.test(e.message));
    assert.ok(bus.closed, 'releases the bus it opened');
  });

  it('names the fix when the i2c-bus module is missing', async () => {
    const missing = openI2cBus(1, () => Promise.reject(new Error("Cannot find package 'i2c-bus'")));
    await assert.rejects(missing, (e: unknown) => e instanceof DisplayError && e.code === 'DISPLAY_MODULE_MISSING' && /npm install i2c-bus/.test(e.message));
    const { display } = makeDisplay({ openBus: (n) => openI2cBus(n, () => Promise.reject(new Error('no module'))) });
    await assert.rejects(display.start(), (e: unknown) => e instanceof DisplayError && e.code === 'DISPLAY_MODULE_MISSING');
  });

  it('stop() turns the panel off, closes the bus, is idempotent; show() afterwards rejects', async () => {
    const { display, bus } = makeDisplay();
    await display.start();
    const shown = display.show(ACCEPTED);
    await display.stop();
    await shown;
    assert.deepEqual([...bus.writes[bus.writes.length - 1]!.bytes], [0x00, 0xae]);
    assert.deepEqual([bus.state.on, bus.closed], [false, true]);
    await display.stop();
    await assert.rejects(display.show(IDLE), DisplayError);
  });

  it('screens shown while stop() is closing the bus settle instead of hanging', async () => {
    const bus = new FakeI2cBus({ delay: () => new Promise((r) => setTimeout(r, 2)) });
    const { display } = makeDisplay({}, bus);
    await display.start();
    const settle = (p: Promise<void>): Promise<string> => p.then(() => 'drawn', (e: unknown) => (e instanceof DisplayError ? 'rejected' : 'other'));
    const stopping = display.stop();
    const first = settle(display.show(ACCEPTED)); // on the wire when the bus closes
    const second = settle(display.show(IDLE)); // waiting behind it
    await stopping;
    assert.deepEqual(await Promise.all([first, second]), ['rejected', 'rejected']);
  });

  it('changes the contrast of a running panel', async () => {
    const { display, bus } = makeDisplay();
    await display.start();
    await display.setContrast(300);
    assert.equal(bus.state.contrast, 255);
    await display.stop();
  });

  it('draws boxes instead of failing when Unifont is missing', async () => {
    const { display, bus } = makeDisplay({ language: 'zh', unifontPath: '/nonexistent/unifont.hex' });
    await display.start();
    await display.show(ACCEPTED);
    assert.ok(bus.ram(64).data.some((b) => b !== 0));
    await display.stop();
  });
});
