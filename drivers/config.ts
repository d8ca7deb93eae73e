/**
 * The hardware sections of the kiosk configuration (config.json `scanner`,
 * `display`, `indicator`): one TypeBox schema per section, with its defaults,
 * and the types drivers receive, derived from those schemas so the two cannot
 * drift. device/config.ts composes the sections into the whole file and
 * validates it once at start-up; drivers get the result, validated and frozen.
 */
import { Type, type Static } from 'typebox';

/** A string with something other than white space in it. */
const text = (): ReturnType<typeof Type.String> => Type.String({ pattern: '\\S', expected: 'a non-empty string' });
const int = (minimum: number, maximum: number, def: number): ReturnType<typeof Type.Integer> => Type.Integer({ minimum, maximum, default: def });
const usbId = (): ReturnType<typeof Type.String> => Type.String({ pattern: '^[0-9a-fA-F]{4}$', expected: '4 hex digits, e.g. "0c2e"' });

export const SerialScannerSchema = Type.Object(
  {
    /** stable path, e.g. /dev/serial/by-id/usb-...; or match by USB ids instead */
    path: Type.Optional(text()),
    vendorId: Type.Optional(usbId()),
    productId: Type.Optional(usbId()),
    baudRate: int(1200, 4_000_000, 115200),
    terminator: Type.Enum(['auto', 'CR', 'LF', 'CRLF'], { default: 'auto' }),
    /** end a line after this many ms of silence, for scanners that send no terminator; 0 = off */
    interCharTimeoutMs: int(0, 10_000, 0),
  },
  { additionalProperties: false, default: {} },
);

export const HidScannerSchema = Type.Object(
  {
    /** "VID:PID" in hex (e.g. "0c2e:0b61") or a hidraw path */
    device: Type.Optional(text()),
    layout: Type.Enum(['us', 'uk', 'de', 'fr'], { default: 'us' }),
    mode: Type.Enum(['auto', 'keyboard', 'pos'], { default: 'auto' }),
    /**
     * 'hidraw' (default) reads next to the kernel keyboard driver, which then also
     * types each scan into the console; 'libusb' detaches it (see drivers/scanner/hid.ts).
     */
    backend: Type.Enum(['hidraw', 'libusb'], { default: 'hidraw' }),
  },
  { additionalProperties: false, default: {} },
);

export const ScannerSchema = Type.Object(
  {
    driver: Type.Enum(['auto', 'stdin', 'serial', 'hid'], { default: 'auto' }),
    serial: SerialScannerSchema,
    hid: HidScannerSchema,
  },
  { additionalProperties: false, default: {} },
);

export const Ssd1306Schema = Type.Object(
  {
    /** /dev/i2c-N */
    bus: int(0, 255, 1),
    address: int(0x03, 0x77, 0x3c),
    height: Type.Enum([64, 32], { default: 64 }),
    contrast: int(0, 255, 0xcf),
    flip: Type.Boolean({ default: false }),
  },
  { additionalProperties: false, default: {} },
);

export const DisplaySchema = Type.Object(
  {
    driver: Type.Enum(['auto', 'ssd1306', 'terminal', 'text', 'none'], { default: 'auto' }),
    ssd1306: Ssd1306Schema,
    /** GNU Unifont .hex for CJK and other glyphs (Debian package `unifont`) */
    unifontPath: Type.String({ pattern: '\\S', expected: 'a non-empty string', default: '/usr/share/unifont/unifont.hex' }),
  },
  { additionalProperties: false, default: {} },
);

/** A GPIO line: by offset on a chip, or by its name (gpio-line-names). */
function gpioLine(def: { chip: string; offset: number }) {
  return Type.Union(
    [
      Type.Object({ chip: text(), offset: Type.Integer({ minimum: 0, maximum: 1023 }) }, { additionalProperties: false }),
      Type.Object({ name: text() }, { additionalProperties: false }),
    ],
    { default: def, expected: '{"chip": "gpiochip0", "offset": N} or {"name": "LINE"}' },
  );
}

export const GpioSchema = Type.Object(
  {
    backend: Type.Enum(['gpiod', 'onoff'], { default: 'gpiod' }),
    green: gpioLine({ chip: 'gpiochip0', offset: 17 }),
    red: gpioLine({ chip: 'gpiochip0', offset: 27 }),
    buzzer: gpioLine({ chip: 'gpiochip0', offset: 22 }),
    activeLow: Type.Boolean({ default: false }),
  },
  { additionalProperties: false, default: {} },
);

export const IndicatorSchema = Type.Object(
  {
    driver: Type.Enum(['auto', 'gpio', 'log', 'none'], { default: 'auto' }),
    gpio: GpioSchema,
  },
  { additionalProperties: false, default: {} },
);

/** The hardware sections, by their key in config.json. */
export const HARDWARE_SECTIONS = { scanner: ScannerSchema, display: DisplaySchema, indicator: IndicatorSchema } as const;

export type SerialScannerConfig = Static<typeof SerialScannerSchema>;
export type HidScannerConfig = Static<typeof HidScannerSchema>;
export type ScannerConfig = Static<typeof ScannerSchema>;
export type Terminator = SerialScannerConfig['terminator'];
export type KeyboardLayout = HidScannerConfig['layout'];
export type Ssd1306Config = Static<typeof Ssd1306Schema>;
export type DisplayConfig = Static<typeof DisplaySchema>;
export type GpioConfig = Static<typeof GpioSchema>;
export type GpioLine = GpioConfig['green'];
export type IndicatorConfig = Static<typeof IndicatorSchema>;

export interface HardwareConfig {
  scanner: ScannerConfig;
  display: DisplayConfig;
  indicator: IndicatorConfig;
}
