/**
 * The hardware sections of the kiosk configuration. The schema check and the
 * defaults live in device/config.ts; drivers receive these, already validated
 * and frozen.
 */
export type Terminator = 'auto' | 'CR' | 'LF' | 'CRLF';

export interface SerialScannerConfig {
  /** stable path, e.g. /dev/serial/by-id/usb-...; or match by USB ids instead */
  path?: string;
  vendorId?: string; // 4 hex digits
  productId?: string;
  baudRate: number; // default 115200
  terminator: Terminator; // default 'auto'
  /** end a line after this many ms of silence, for scanners that send no terminator; 0 = off */
  interCharTimeoutMs: number;
}

export type KeyboardLayout = 'us' | 'uk' | 'de' | 'fr';

export interface HidScannerConfig {
  /** "VID:PID" in hex (e.g. "0c2e:0b61") or a hidraw path */
  device?: string;
  layout: KeyboardLayout; // default 'us'
  mode: 'auto' | 'keyboard' | 'pos';
  /**
   * 'hidraw' (default) reads next to the kernel keyboard driver, which then also
   * types each scan into the console; 'libusb' detaches it (see drivers/scanner/hid.ts).
   */
  backend: 'hidraw' | 'libusb';
}

export interface ScannerConfig {
  driver: 'auto' | 'stdin' | 'serial' | 'hid';
  serial: SerialScannerConfig;
  hid: HidScannerConfig;
}

export interface Ssd1306Config {
  bus: number; // /dev/i2c-N, default 1
  address: number; // default 0x3c
  height: 64 | 32;
  contrast: number; // 0..255
  flip: boolean;
}

export interface DisplayConfig {
  driver: 'auto' | 'ssd1306' | 'terminal' | 'text' | 'none';
  ssd1306: Ssd1306Config;
  /** GNU Unifont .hex for CJK and other glyphs (Debian package `unifont`) */
  unifontPath: string; // default /usr/share/unifont/unifont.hex
}

/** A GPIO line: by offset on a chip, or by its name (gpio-line-names). */
export type GpioLine = { chip: string; offset: number } | { name: string };

export interface GpioConfig {
  backend: 'gpiod' | 'onoff';
  green: GpioLine;
  red: GpioLine;
  buzzer: GpioLine;
  activeLow: boolean;
}

export interface IndicatorConfig {
  driver: 'auto' | 'gpio' | 'log' | 'none';
  gpio: GpioConfig;
}

export interface HardwareConfig {
  scanner: ScannerConfig;
  display: DisplayConfig;
  indicator: IndicatorConfig;
}
