import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../../device/logger.js';
import { FakeI2cBus } from '../../../drivers/display/fake-i2c.js';
import type { StatusLine } from '../../../drivers/display/screen.js';
import { Ssd1306Display, type Ssd1306Options } from '../../../drivers/display/ssd1306.js';

/** dist/test/drivers/display → the repository root, where the .hex fixture lives (tsc does not copy it). */
export const FIXTURE_HEX = fileURLToPath(new URL('../../../../test/drivers/display/fixtures/unifont-sample.hex', import.meta.url));
export const MISSING_HEX = '/nonexistent/unifont.hex';

export const STATUS: StatusLine = { online: true, pending: 0, clockWarning: false, scanner: 'connected' };
/** 2026-11-25 14:30 local time */
export const NOW = new Date(2026, 10, 25, 14, 30).getTime();

export function makeDisplay(overrides: Partial<Ssd1306Options> = {}, bus = new FakeI2cBus()): { display: Ssd1306Display; bus: FakeI2cBus } {
  const display = new Ssd1306Display({
    bus: 1,
    address: 0x3c,
    height: 64,
    contrast: 0xcf,
    flip: false,
    language: 'en',
    unifontPath: FIXTURE_HEX,
    logger: silentLogger(),
    openBus: async () => bus.reopen(),
    now: () => NOW,
    ...overrides,
  });
  return { display, bus };
}
