/**
 * The one place where the kiosk's hardware is chosen and built, from the
 * validated config (command-line overrides are already merged into it).
 *
 * `auto` picks the real driver only where that is safe to guess: a serial
 * scanner when a port is configured, an HID scanner when a device is
 * configured, the SSD1306 when its I2C bus exists, GPIO when the gpiochip
 * exists. Otherwise, and always with `simulate`, it is the simulated kiosk:
 * lines from stdin, the screen drawn in the terminal, indicators as log lines.
 */
import { createReadStream, existsSync } from 'node:fs';
import type { Display } from '../drivers/display/port.js';
import { Ssd1306Display } from '../drivers/display/ssd1306.js';
import { TerminalDisplay } from '../drivers/display/terminal.js';
import { GpioIndicator } from '../drivers/indicator/gpio.js';
import { LogIndicator } from '../drivers/indicator/log.js';
import type { Indicator } from '../drivers/indicator/port.js';
import { HidScanner } from '../drivers/scanner/hid.js';
import { reportStreamHid } from '../drivers/scanner/hid-report-stream.js';
import type { Scanner } from '../drivers/scanner/port.js';
import { SerialScanner } from '../drivers/scanner/serial.js';
import { StdinScanner } from '../drivers/scanner/stdin.js';
import type { KioskConfig } from './config.js';
import type { Logger } from './logger.js';
import { NullDisplay, NullIndicator } from './null-hardware.js';

export { NullDisplay, NullIndicator } from './null-hardware.js';

export interface Hardware {
  scanner: Scanner;
  display: Display;
  indicator: Indicator;
}

export type DisplayMode = 'blocks' | 'text' | 'none';

export interface HardwareOptions {
  logger: Logger;
  input: NodeJS.ReadableStream;
  /** where a terminal display draws; stderr when stdout carries --json events */
  screenOut: NodeJS.WritableStream;
  /** --display overrides config.display.driver with a terminal mode */
  displayMode?: DisplayMode;
  /** --simulate: no real hardware, whatever the config says */
  simulate?: boolean;
  /**
   * --hid-reports: the HID driver reads raw boot keyboard reports from this
   * file or FIFO ('-': `input`) instead of a USB device (drivers/scanner/hid-report-stream.ts)
   */
  hidReports?: string;
  /** parts a test (or a caller) provides instead */
  injected?: Partial<Hardware>;
  /** does this device node exist? (injected by tests) */
  exists?: (path: string) => boolean;
}

type Cfg = Readonly<KioskConfig>;

export function createHardware(config: Cfg, opts: HardwareOptions): Hardware {
  return {
    scanner: opts.injected?.scanner ?? createScanner(config, opts),
    display: opts.injected?.display ?? createDisplay(config, opts),
    indicator: opts.injected?.indicator ?? createIndicator(config, opts),
  };
}

export type ScannerDriver = 'stdin' | 'serial' | 'hid';

export function scannerDriverOf(config: Cfg, simulate = false): ScannerDriver {
  const { driver, serial, hid } = config.scanner;
  if (simulate) return 'stdin';
  if (driver !== 'auto') return driver;
  if (serial.path !== undefined || (serial.vendorId !== undefined && serial.productId !== undefined)) return 'serial';
  return hid.device !== undefined ? 'hid' : 'stdin';
}

function createScanner(config: Cfg, opts: HardwareOptions): Scanner {
  const { logger } = opts;
  // simulated input for the HID driver is no real hardware: it holds with --simulate too
  switch (opts.hidReports !== undefined ? 'hid' : scannerDriverOf(config, opts.simulate)) {
    case 'serial':
      return new SerialScanner({ ...config.scanner.serial, logger });
    case 'hid':
      return new HidScanner({ ...config.scanner.hid, logger, ...(opts.hidReports ? { hid: reportsFrom(opts.hidReports, opts.input) } : {}) });
    case 'stdin':
      return new StdinScanner({ input: opts.input, terminator: 'auto', logger });
  }
}

function reportsFrom(source: string, input: NodeJS.ReadableStream): ReturnType<typeof reportStreamHid> {
  return reportStreamHid(source, () => (source === '-' ? input : createReadStream(source)));
}

export type DisplayDriver = 'ssd1306' | DisplayMode;

export function displayDriverOf(config: Cfg, opts: Pick<HardwareOptions, 'displayMode' | 'simulate' | 'exists'>): DisplayDriver {
  if (opts.displayMode) return opts.displayMode;
  const { driver, ssd1306 } = config.display;
  const exists = opts.exists ?? existsSync;
  if (driver === 'text' || driver === 'none') return driver;
  if (driver === 'terminal' || opts.simulate) return 'blocks';
  if (driver === 'ssd1306') return 'ssd1306';
  return exists(`/dev/i2c-${ssd1306.bus}`) ? 'ssd1306' : 'blocks';
}

function createDisplay(config: Cfg, opts: HardwareOptions): Display {
  const language = config.language;
  const unifontPath = config.display.unifontPath;
  const driver = displayDriverOf(config, opts);
  if (driver === 'none') return new NullDisplay();
  if (driver === 'ssd1306') return new Ssd1306Display({ ...config.display.ssd1306, language, unifontPath, logger: opts.logger });
  return new TerminalDisplay({ out: opts.screenOut, mode: driver, language, unifontPath });
}

export type IndicatorDriver = 'gpio' | 'log' | 'none';

export function indicatorDriverOf(config: Cfg, opts: Pick<HardwareOptions, 'simulate' | 'exists'>): IndicatorDriver {
  const { driver, gpio } = config.indicator;
  const exists = opts.exists ?? existsSync;
  if (driver === 'none' || driver === 'log') return driver;
  if (opts.simulate) return 'log';
  if (driver === 'gpio') return 'gpio';
  const chip = 'chip' in gpio.green ? gpio.green.chip : 'gpiochip0';
  return exists(`/dev/${chip}`) ? 'gpio' : 'log';
}

function createIndicator(config: Cfg, opts: HardwareOptions): Indicator {
  switch (indicatorDriverOf(config, opts)) {
    case 'none':
      return new NullIndicator();
    case 'gpio':
      return new GpioIndicator({ ...config.indicator.gpio, logger: opts.logger });
    case 'log':
      return new LogIndicator({ logger: opts.logger, out: opts.screenOut, color: isTty(opts.screenOut) });
  }
}

function isTty(out: NodeJS.WritableStream): boolean {
  return (out as { isTTY?: boolean }).isTTY === true;
}
