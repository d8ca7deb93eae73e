import assert from 'node:assert/strict';
import { ConfigError, defaultTerminalId, parseConfig } from '../../device/config.js';

const ctx = { home: '/h', hostname: 'counter-1.local' };

describe('device/config', () => {
  it('fills every default from an empty object', () => {
    const c = parseConfig({}, ctx);
    assert.equal(c.terminalId, 'counter-1.local');
    assert.equal(c.language, 'zh');
    assert.equal(c.ledgerPath, '/h/ledger.sqlite');
    assert.deepEqual(c.scanner.serial, { baudRate: 115200, terminator: 'auto', interCharTimeoutMs: 0 });
    assert.deepEqual(c.scanner.hid, { layout: 'us', mode: 'auto', backend: 'hidraw' });
    assert.deepEqual(c.display.ssd1306, { bus: 1, address: 0x3c, height: 64, contrast: 0xcf, flip: false });
    assert.equal(c.display.unifontPath, '/usr/share/unifont/unifont.hex');
    assert.deepEqual(c.indicator.gpio, {
      backend: 'gpiod',
      green: { chip: 'gpiochip0', offset: 17 },
      red: { chip: 'gpiochip0', offset: 27 },
      buzzer: { chip: 'gpiochip0', offset: 22 },
      activeLow: false,
    });
  });

  it('a missing file (undefined) is all defaults too', () => {
    assert.equal(parseConfig(undefined, ctx).language, 'zh');
  });

  it('keeps given values and resolves the ledger path against the home', () => {
    const c = parseConfig(
      { terminalId: 'till-2', language: 'en', ledgerPath: 'data/l.sqlite', display: { ssd1306: { height: 32 } }, indicator: { gpio: { red: { name: 'RED_LED' } } } },
      ctx,
    );
    assert.equal(c.terminalId, 'till-2');
    assert.equal(c.language, 'en');
    assert.equal(c.ledgerPath, '/h/data/l.sqlite');
    assert.equal(c.display.ssd1306.height, 32);
    assert.deepEqual(c.indicator.gpio.red, { name: 'RED_LED' });
  });

  it('reports every problem at once, each with its path and bad value', () => {
    const raw = {
      language: 'fr',
      colour: 'blue',
      scanner: { serial: { baudRate: -1, vendorId: 'xyz' } },
      display: { ssd1306: { address: 999 }, driver: 'oled' },
      indicator: { gpio: { green: { chip: 'gpiochip0' } } },
    };
    let error: unknown;
    try {
      parseConfig(raw, ctx);
    } catch (err) {
      error = err;
    }
    assert.ok(error instanceof ConfigError);
    assert.equal(error.code, 'CONFIG_INVALID');
    const paths = error.issues.map((i) => i.path).sort();
    assert.deepEqual(paths, [
      'colour',
      'display.driver',
      'display.ssd1306.address',
      'indicator.gpio.green',
      'language',
      'scanner.serial.baudRate',
      'scanner.serial.vendorId',
    ]);
    assert.equal(error.issues.find((i) => i.path === 'language')?.value, 'fr');
    assert.match(error.message, /display\.ssd1306\.address: .*999/);
  });

  it('rejects a non-object root', () => {
    assert.throws(() => parseConfig([1], ctx), (e: unknown) => e instanceof ConfigError && e.issues[0]?.path === '(root)');
  });

  it('is deeply frozen', () => {
    const c = parseConfig({}, ctx);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.scanner.serial) && Object.isFrozen(c.indicator.gpio.green));
  });

  it('derives a terminal id from any hostname', () => {
    assert.equal(defaultTerminalId('my host/1'), 'my-host-1');
    assert.equal(defaultTerminalId(''), 'kiosk');
  });
});
