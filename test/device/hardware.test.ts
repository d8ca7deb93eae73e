import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { parseConfig } from '../../device/config.js';
import { NullDisplay, createHardware, displayModeOf } from '../../device/hardware.js';
import { silentLogger } from '../../device/logger.js';
import { FakeDisplay } from '../../drivers/display/fake.js';
import { FakeIndicator } from '../../drivers/indicator/fake.js';
import { FakeScanner } from '../../drivers/scanner/fake.js';

describe('device/hardware', () => {
  const config = parseConfig({}, { home: '/h', hostname: 'h' });
  const base = { logger: silentLogger(), input: new PassThrough(), screenOut: new PassThrough() };

  it('uses injected parts as they are', () => {
    const injected = { scanner: new FakeScanner(), display: new FakeDisplay(), indicator: new FakeIndicator() };
    const hw = createHardware(config, { ...base, injected });
    assert.equal(hw.scanner, injected.scanner);
    assert.equal(hw.display, injected.display);
    assert.equal(hw.indicator, injected.indicator);
  });

  it('builds the simulated kiosk: stdin scanner, terminal display, log indicator; --display none draws nothing', () => {
    const hw = createHardware(config, base);
    assert.equal(hw.scanner.name, 'stdin');
    assert.ok(!(hw.display instanceof NullDisplay));
    assert.ok(createHardware(config, { ...base, displayMode: 'none' }).display instanceof NullDisplay);
  });

  it('maps the configured display driver to a simulated mode', () => {
    assert.deepEqual(['auto', 'ssd1306', 'terminal', 'text', 'none'].map((d) => displayModeOf(d as 'auto')), ['blocks', 'blocks', 'blocks', 'text', 'none']);
  });
});
