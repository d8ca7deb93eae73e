import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { silentLogger } from '../../../device/logger.js';
import { FakeDisplay } from '../../../drivers/display/fake.js';
import { DisplayError, type Display } from '../../../drivers/display/port.js';
import type { Screen } from '../../../drivers/display/screen.js';
import { Ssd1306Display } from '../../../drivers/display/ssd1306.js';
import { TerminalDisplay } from '../../../drivers/display/terminal.js';
import { FIXTURE_HEX, STATUS, makeDisplay } from './helpers.js';

/**
 * The Display port's contract, run against every implementation we ship and,
 * when KIOSK_TEST_I2C names a panel ("BUS:ADDRESS[:HEIGHT]", e.g. "1:0x3c:64"),
 * against the real SSD1306 on that bus.
 */
const makers: Record<string, () => Display> = {
  'ssd1306 on FakeI2cBus': () => makeDisplay().display,
  'terminal blocks': () => new TerminalDisplay({ out: new PassThrough().resume(), mode: 'blocks', language: 'zh', unifontPath: FIXTURE_HEX }),
  'terminal text': () => new TerminalDisplay({ out: new PassThrough().resume(), mode: 'text', language: 'en' }),
  fake: () => new FakeDisplay(),
};

const real = process.env['KIOSK_TEST_I2C'];
if (real) {
  const [bus = '1', address = '0x3c', height = '64'] = real.split(':');
  makers[`real SSD1306 ${real}`] = () =>
    new Ssd1306Display({
      bus: Number(bus), address: Number(address), height: height === '32' ? 32 : 64, contrast: 0xcf, flip: false,
      language: 'zh', unifontPath: '/usr/share/unifont/unifont.hex', logger: silentLogger(),
    });
}

const screens: Screen[] = [
  { kind: 'message', message: 'starting', status: STATUS },
  { kind: 'idle', status: STATUS },
  { kind: 'verdict', reason: 'ACCEPTED', title: '火锅双人套餐', quantity: 2, serial: 'A7K3-0042', status: STATUS },
  { kind: 'verdict', reason: 'ALREADY_REDEEMED', redeemedAt: Date.now() - 60_000, redeemedBy: 'till-02', status: STATUS },
];

for (const [name, make] of Object.entries(makers)) {
  describe(`display contract: ${name}`, () => {
    it('starts, shows screens one by one and all at once, stops twice', async () => {
      const d = make();
      assert.ok(d.name.length > 0);
      await d.start();
      for (const s of screens) await d.show(s);
      await Promise.all(screens.map((s) => d.show(s)));
      await d.stop();
      await d.stop();
    });

    it('can be started again after stop()', async () => {
      const d = make();
      await d.start();
      await d.show(screens[1]!);
      await d.stop();
      await d.start();
      await d.show(screens[2]!);
      await d.stop();
    });

    it('rejects only with DisplayError when it rejects at all', async () => {
      const d = make();
      await d.start();
      await d.stop();
      await d.show(screens[1]!).catch((err: unknown) => assert.ok(err instanceof DisplayError, String(err)));
    });
  });
}
