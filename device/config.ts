/**
 * The kiosk configuration (config.json in the kiosk home): a schema with
 * defaults, validated once at start-up with every problem reported at once,
 * then deeply frozen and passed around.
 */
import os from 'node:os';
import path from 'node:path';
import type {
  DisplayConfig,
  GpioConfig,
  GpioLine,
  HardwareConfig,
  HidScannerConfig,
  IndicatorConfig,
  ScannerConfig,
  SerialScannerConfig,
  Ssd1306Config,
} from '../drivers/config.js';
import type { Language } from '../drivers/display/screen.js';
import { ConfigError, ConfigReader, checks, deepFreeze, isObj, type Obj } from './config-reader.js';
import { readUsb, type UsbConfig } from './config-usb.js';

export { ConfigError, type ConfigIssue } from './config-reader.js';

export interface KioskConfig extends HardwareConfig {
  /** names this terminal in the ledger and in ALREADY_REDEEMED answers */
  terminalId: string;
  language: Language;
  /** absolute path of the ledger database (config value is relative to the home) */
  ledgerPath: string;
  /** how long a verdict stays on screen before the idle screen returns */
  verdictScreenMs: number;
  /** USB export (device/config-usb.ts) */
  usb: UsbConfig;
}

export const TOP_KEYS = ['terminalId', 'language', 'ledgerPath', 'verdictScreenMs', 'scanner', 'display', 'indicator', 'usb'] as const;

export interface ConfigContext {
  home: string;
  hostname?: string;
}

/** Validate raw JSON (already parsed) against the schema; throws ConfigError listing every problem. */
export function parseConfig(raw: unknown, ctx: ConfigContext): Readonly<KioskConfig> {
  const r = new ConfigReader();
  let root: Obj = {};
  if (isObj(raw)) root = raw;
  else if (raw !== undefined) r.issue('(root)', raw, 'must be a JSON object');
  r.unknownKeys(root, '', TOP_KEYS);
  const ledger = r.field<string>(root, 'ledgerPath', '', 'ledger.sqlite', checks.text);
  const config: KioskConfig = {
    terminalId: r.field(root, 'terminalId', '', defaultTerminalId(ctx.hostname ?? os.hostname()), checks.id),
    language: r.field<Language>(root, 'language', '', 'zh', checks.oneOf(['zh', 'en'])),
    ledgerPath: path.resolve(ctx.home, ledger),
    verdictScreenMs: r.field(root, 'verdictScreenMs', '', 3000, checks.int(200, 600_000)),
    scanner: readScanner(r, root),
    display: readDisplay(r, root),
    indicator: readIndicator(r, root),
    usb: readUsb(r, root),
  };
  if (r.issues.length > 0) throw new ConfigError(r.issues, 'config.json');
  return deepFreeze(config);
}

/** The hostname, reduced to the characters a terminal id may hold. */
export function defaultTerminalId(hostname: string): string {
  const id = hostname.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
  return id.length > 0 ? id : 'kiosk';
}

function readScanner(r: ConfigReader, root: Obj): ScannerConfig {
  const s = r.section(root, 'scanner', '', ['driver', 'serial', 'hid']);
  const se = r.section(s, 'serial', 'scanner', ['path', 'vendorId', 'productId', 'baudRate', 'terminator', 'interCharTimeoutMs']);
  const h = r.section(s, 'hid', 'scanner', ['device', 'layout', 'mode', 'backend']);
  const p = 'scanner.serial';
  const serial: SerialScannerConfig = {
    baudRate: r.field(se, 'baudRate', p, 115200, checks.int(1200, 4_000_000)),
    terminator: r.field(se, 'terminator', p, 'auto', checks.oneOf(['auto', 'CR', 'LF', 'CRLF'])),
    interCharTimeoutMs: r.field(se, 'interCharTimeoutMs', p, 0, checks.int(0, 10_000)),
  };
  setOptional(serial, 'path', r.optional(se, 'path', p, checks.text));
  setOptional(serial, 'vendorId', r.optional(se, 'vendorId', p, checks.hex4));
  setOptional(serial, 'productId', r.optional(se, 'productId', p, checks.hex4));
  const hid: HidScannerConfig = {
    layout: r.field(h, 'layout', 'scanner.hid', 'us', checks.oneOf(['us', 'uk', 'de', 'fr'])),
    mode: r.field(h, 'mode', 'scanner.hid', 'auto', checks.oneOf(['auto', 'keyboard', 'pos'])),
    backend: r.field(h, 'backend', 'scanner.hid', 'hidraw', checks.oneOf(['hidraw', 'libusb'])),
  };
  setOptional(hid, 'device', r.optional(h, 'device', 'scanner.hid', checks.text));
  const driver = r.field<ScannerConfig['driver']>(s, 'driver', 'scanner', 'auto', checks.oneOf(['auto', 'stdin', 'serial', 'hid']));
  return { driver, serial, hid };
}

function readDisplay(r: ConfigReader, root: Obj): DisplayConfig {
  const d = r.section(root, 'display', '', ['driver', 'ssd1306', 'unifontPath']);
  const o = r.section(d, 'ssd1306', 'display', ['bus', 'address', 'height', 'contrast', 'flip']);
  const p = 'display.ssd1306';
  const ssd1306: Ssd1306Config = {
    bus: r.field(o, 'bus', p, 1, checks.int(0, 255)),
    address: r.field(o, 'address', p, 0x3c, checks.int(0x03, 0x77)),
    height: r.field<64 | 32>(o, 'height', p, 64, checks.oneOf([64, 32])),
    contrast: r.field(o, 'contrast', p, 0xcf, checks.int(0, 255)),
    flip: r.field(o, 'flip', p, false, checks.bool),
  };
  return {
    driver: r.field<DisplayConfig['driver']>(d, 'driver', 'display', 'auto', checks.oneOf(['auto', 'ssd1306', 'terminal', 'text', 'none'])),
    ssd1306,
    unifontPath: r.field(d, 'unifontPath', 'display', '/usr/share/unifont/unifont.hex', checks.text),
  };
}

function readIndicator(r: ConfigReader, root: Obj): IndicatorConfig {
  const i = r.section(root, 'indicator', '', ['driver', 'gpio']);
  const g = r.section(i, 'gpio', 'indicator', ['backend', 'green', 'red', 'buzzer', 'activeLow']);
  const p = 'indicator.gpio';
  const gpio: GpioConfig = {
    backend: r.field(g, 'backend', p, 'gpiod', checks.oneOf(['gpiod', 'onoff'])),
    green: readLine(r, g, 'green', { chip: 'gpiochip0', offset: 17 }),
    red: readLine(r, g, 'red', { chip: 'gpiochip0', offset: 27 }),
    buzzer: readLine(r, g, 'buzzer', { chip: 'gpiochip0', offset: 22 }),
    activeLow: r.field(g, 'activeLow', p, false, checks.bool),
  };
  const driver = r.field<IndicatorConfig['driver']>(i, 'driver', 'indicator', 'auto', checks.oneOf(['auto', 'gpio', 'log', 'none']));
  return { driver, gpio };
}

/** A GPIO line is either {chip, offset} or {name}. */
function readLine(r: ConfigReader, gpio: Obj, key: string, def: GpioLine): GpioLine {
  const path = `indicator.gpio.${key}`;
  const v = gpio[key];
  if (v === undefined) return def;
  if (!isObj(v)) {
    r.issue(path, v, 'must be {"chip": "gpiochip0", "offset": N} or {"name": "LINE"}');
    return def;
  }
  if ('name' in v) {
    r.unknownKeys(v, path, ['name']);
    return { name: r.field(v, 'name', path, '', checks.text) };
  }
  r.unknownKeys(v, path, ['chip', 'offset']);
  if (v['chip'] === undefined || v['offset'] === undefined) r.issue(path, v, 'needs both "chip" and "offset"');
  return { chip: r.field(v, 'chip', path, 'gpiochip0', checks.text), offset: r.field(v, 'offset', path, 0, checks.int(0, 1023)) };
}

function setOptional<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) obj[key] = value;
}
