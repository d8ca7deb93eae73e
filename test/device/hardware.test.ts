import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { parseConfig } from '../../device/config.js';
import { NullDisplay, createHardware, displayDriverOf, indicatorDriverOf, scannerDriverOf } from '../../device/hardware.js';
import { silentLogger } from '../../device/logger.js';
import { FakeDisplay } from '../../drivers/display/fake.js';
import { FakeIndicator } from '../../drivers/indicator/fake.js';
import { FakeScanner } from '../../drivers/scanner/fake.js';

describe('device/hardware', () => {
  const cfg = (raw: unknown = {}) => parseConfig(raw, { home: '/h', hostname: 'h' });
  const config = cfg();
  const none = () => false;
  const all = () => true;
  const base = { logger: silentLogger(), input: new PassThrough(), screenOut: new PassThrough(), exists: none };

  it('uses injected parts as they are', () => {
    const injected = { scanner: new FakeScanner(), display: new FakeDisplay(), indicator: new FakeIndicator() };
    const hw = createHardware(config, { ...base, injected });
    assert.equal(hw.scanner, injected.scanner);
    assert.equal(hw.display, injected.display);
    assert.equal(hw.indicator, injected.indicator);
  });

  it('without hardware, auto is the simulated kiosk: stdin scanner, terminal display, log indicator', () => {
    const hw = createHardware(config, base);
    assert.deepEqual([hw.scanner.name, hw.display.name, hw.indicator.name], ['stdin', 'terminal-blocks', 'log']);
    assert.ok(createHardware(config, { ...base, displayMode: 'none' }).display instanceof NullDisplay);
  });

  it('auto picks the real drivers where the config or the device nodes say they are there', () => {
    const c = cfg({ scanner: { serial: { path: '/dev/serial/by-id/usb-x' } } });
    const hw = createHardware(c, { ...base, exists: all });
    assert.deepEqual([hw.scanner.name, hw.display.name, hw.indicator.name], ['serial', 'ssd1306', 'gpio']);
    assert.equal(scannerDriverOf(cfg({ scanner: { hid: { device: '0c2e:0b61' } } })), 'hid');
    assert.equal(scannerDriverOf(cfg({ scanner: { serial: { vendorId: '0c2e' } } })), 'stdin', 'half a USB id is not a match');
  });

  it('--simulate wins over config and device nodes', () => {
    const c = cfg({ scanner: { driver: 'serial', serial: { path: '/dev/ttyACM0' } }, display: { driver: 'ssd1306' }, indicator: { driver: 'gpio' } });
    const hw = createHardware(c, { ...base, exists: all, simulate: true });
    assert.deepEqual([hw.scanner.name, hw.display.name, hw.indicator.name], ['stdin', 'terminal-blocks', 'log']);
  });

  it('an explicit driver is built even when its device node is missing (it reports the fault itself)', () => {
    const c = cfg({ scanner: { driver: 'hid' }, display: { driver: 'ssd1306' }, indicator: { driver: 'gpio' } });
    const hw = createHardware(c, base);
    assert.deepEqual([hw.scanner.name, hw.display.name, hw.indicator.name], ['hid', 'ssd1306', 'gpio']);
  });

  it('maps display and indicator drivers', () => {
    const d = (driver: string, o = {}) => displayDriverOf(cfg({ display: { driver } }), { exists: none, ...o });
    assert.deepEqual(['auto', 'ssd1306', 'terminal', 'text', 'none'].map((x) => d(x)), ['blocks', 'ssd1306', 'blocks', 'text', 'none']);
    assert.equal(d('ssd1306', { displayMode: 'text' }), 'text');
    assert.equal(displayDriverOf(cfg({ display: { ssd1306: { bus: 3 } } }), { exists: (p: string) => p === '/dev/i2c-3' }), 'ssd1306');
    const i = (driver: string) => indicatorDriverOf(cfg({ indicator: { driver } }), { exists: none });
    assert.deepEqual(['auto', 'gpio', 'log', 'none'].map(i), ['log', 'gpio', 'log', 'none']);
  });
});
