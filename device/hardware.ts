/**
 * The one place where the kiosk's hardware is chosen and built. Today it is
 * the simulated kiosk: lines from stdin, the screen drawn in the terminal,
 * indicators as log lines (or fakes a test injects). Real drivers (serial/HID
 * scanner, SSD1306, GPIO) are selected here later.
 */
import type { Display } from '../drivers/display/port.js';
import type { Screen } from '../drivers/display/screen.js';
import { TerminalDisplay } from '../drivers/display/terminal.js';
import { LogIndicator } from '../drivers/indicator/log.js';
import type { Indicator } from '../drivers/indicator/port.js';
import type { Scanner } from '../drivers/scanner/port.js';
import { StdinScanner } from '../drivers/scanner/stdin.js';
import type { KioskConfig } from './config.js';
import type { Logger } from './logger.js';

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
  /** --display overrides config.display.driver */
  displayMode?: DisplayMode;
  /** parts a test (or a caller) provides instead */
  injected?: Partial<Hardware>;
}

export function createHardware(config: Readonly<KioskConfig>, opts: HardwareOptions): Hardware {
  const scanner = opts.injected?.scanner ?? new StdinScanner({ input: opts.input, terminator: 'auto', logger: opts.logger });
  const display = opts.injected?.display ?? createDisplay(config, opts);
  const indicator =
    opts.injected?.indicator ??
    (config.indicator.driver === 'none' ? new NullIndicator() : new LogIndicator({ logger: opts.logger, out: opts.screenOut, color: isTty(opts.screenOut) }));
  return { scanner, display, indicator };
}

function createDisplay(config: Readonly<KioskConfig>, opts: HardwareOptions): Display {
  const mode = opts.displayMode ?? displayModeOf(config.display.driver);
  if (mode === 'none') return new NullDisplay();
  return new TerminalDisplay({ out: opts.screenOut, mode, language: config.language, unifontPath: config.display.unifontPath });
}

/** Without the hardware, the SSD1306 (or 'auto') is simulated by the block-drawn terminal screen. */
export function displayModeOf(driver: KioskConfig['display']['driver']): DisplayMode {
  if (driver === 'text') return 'text';
  if (driver === 'none') return 'none';
  return 'blocks';
}

function isTty(out: NodeJS.WritableStream): boolean {
  return (out as { isTTY?: boolean }).isTTY === true;
}

/** `--display none`: screens go nowhere (and, unlike FakeDisplay, are not kept). */
export class NullDisplay implements Display {
  readonly name = 'none';
  async start(): Promise<void> {}
  async show(_screen: Screen): Promise<void> {}
  async stop(): Promise<void> {}
}

export class NullIndicator implements Indicator {
  readonly name = 'none';
  async start(): Promise<void> {}
  async signal(): Promise<void> {}
  async stop(): Promise<void> {}
}
