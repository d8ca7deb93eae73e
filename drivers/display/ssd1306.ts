import type { Logger } from '../../device/logger.js';
import type { Ssd1306Config } from '../config.js';
import type { Bitmap } from './bitmap.js';
import { dirtyWindows, windowData } from './frame-diff.js';
import { NO_GLYPHS, type GlyphSource } from './glyph.js';
import { renderScreen } from './layout.js';
import { DisplayError, type Display } from './port.js';
import type { Language, Screen } from './screen.js';
import { CMD, CONTROL_COMMAND, CONTROL_DATA, clampByte, initSequence, windowCommands } from './ssd1306-protocol.js';
import { UnifontSource } from './unifont.js';

/** The part of i2c-bus's PromisifiedBus the driver uses; FakeI2cBus implements it too. */
export interface I2cBusLike {
  i2cWrite(address: number, length: number, buffer: Buffer): Promise<{ bytesWritten: number }>;
  close(): Promise<void>;
}

export interface Ssd1306Options extends Ssd1306Config {
  language: Language;
  unifontPath: string;
  logger: Logger;
  /** defaults to i2c-bus's openPromisified, loaded on first use */
  openBus?: (busNumber: number) => Promise<I2cBusLike>;
  /** data bytes per I2C transaction, default 128 (see DEFAULT_CHUNK) */
  chunkSize?: number;
  /** the clock for "today" on ALREADY_REDEEMED screens; defaults to Date.now */
  now?: () => number;
}

/**
 * 128 data bytes (+1 control byte) per write: one full page row. Linux's
 * i2c-dev takes up to 8192 bytes per write and the Pi's controller any length,
 * so small chunks only add overhead (start, address and control byte per
 * transaction: 32-byte chunks cost ~6% more bus time). Each write holds a
 * libuv pool thread for its duration (~12 ms at 100 kHz), and the chunk bounds
 * how long a newer screen or stop() waits; one page row keeps that short.
 * Adapters limited to 32-byte transfers can set chunkSize.
 */
const DEFAULT_CHUNK = 128;

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * SSD1306 OLED over I2C. Renders each screen to a frame, sends only the
 * changed column spans of the changed pages, and never writes synchronously:
 * every bus write is an awaited i2c-bus call running off the event loop, and
 * the only synchronous work per screen is layout and diff (well under a ms).
 */
export class Ssd1306Display implements Display {
  readonly name = 'ssd1306';
  /** bytes handed to the bus since construction (control bytes included) */
  bytesWritten = 0;
  /** I2C write transactions since construction */
  transactions = 0;
  private bus: I2cBusLike | undefined;
  private font: GlyphSource = NO_GLYPHS;
  private last: Bitmap | undefined;
  private needsInit = true;
  private pending: Screen | undefined;
  private waiters: Waiter[] = [];
  private drawing: Promise<void> | undefined;
  private readonly log: Logger;

  constructor(private readonly opts: Ssd1306Options) {
    this.log = opts.logger.child({ module: 'display' });
  }

  async start(): Promise<void> {
    if (this.bus) return;
    const open = this.opts.openBus ?? ((n: number) => openI2cBus(n));
    try {
      this.bus = await open(this.opts.bus);
    } catch (err) {
      if (err instanceof DisplayError) throw err;
      throw new DisplayError('DISPLAY_OPEN_FAILED', `cannot open /dev/i2c-${this.opts.bus}: ${message(err)} (enable I2C, e.g. raspi-config, and add the kiosk user to group i2c)`, { cause: err });
    }
    await this.loadFont();
    try {
      await this.init();
    } catch (err) {
      await this.closeBus();
      throw new DisplayError('DISPLAY_OPEN_FAILED', `no SSD1306 answers at ${hex(this.opts.address)} on /dev/i2c-${this.opts.bus}: ${message(err)}`, { cause: err });
    }
    this.log.info({ bus: this.opts.bus, address: hex(this.opts.address), height: this.opts.height }, 'display started');
  }

  /** Coalesces: while a frame is on the wire only the newest waiting screen is drawn next. */
  show(screen: Screen): Promise<void> {
    if (!this.bus) return Promise.reject(new DisplayError('DISPLAY_IO', 'show() before start() or after stop()'));
    this.pending = screen;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.drawing ??= this.drain();
    return done;
  }

  /** Changes the contrast (0..255) of the running panel. */
  async setContrast(contrast: number): Promise<void> {
    await this.command([CMD.CONTRAST, clampByte(contrast)]);
  }

  async stop(): Promise<void> {
    if (!this.bus) return;
    await this.drawing;
    // Sleep the panel: an OLED left lit for months burns in.
    await this.command([CMD.DISPLAY_OFF]).catch((err: unknown) => this.log.warn({ err: message(err) }, 'display off failed'));
    await this.closeBus();
    this.last = undefined;
    this.needsInit = true;
    this.log.info('display stopped');
  }

  private async drain(): Promise<void> {
    while (this.pending && this.bus) {
      const screen = this.pending;
      this.pending = undefined;
      const waiters = this.waiters.splice(0);
      try {
        await this.draw(screen);
        waiters.forEach((w) => w.resolve());
      } catch (err) {
        // The panel's RAM is now unknown (and it may have lost power): re-init and redraw in full next time.
        this.last = undefined;
        this.needsInit = true;
        const error = new DisplayError('DISPLAY_IO', `write to SSD1306 at ${hex(this.opts.address)} on /dev/i2c-${this.opts.bus} failed: ${message(err)}`, { cause: err });
        this.log.warn({ err: error.message }, 'display write failed');
        waiters.forEach((w) => w.reject(error));
      }
    }
    // Only when stop() closed the bus under a screen that arrived meanwhile: never leave a caller hanging.
    this.pending = undefined;
    const stranded = new DisplayError('DISPLAY_IO', 'the display was stopped before this screen was drawn');
    this.waiters.splice(0).forEach((w) => w.reject(stranded));
    this.drawing = undefined;
  }

  private async draw(screen: Screen): Promise<void> {
    const { height, language } = this.opts;
    const now = (this.opts.now ?? Date.now)();
    const frame = renderScreen(screen, { width: 128, height, language, font: this.font, now });
    if (this.needsInit) await this.init();
    for (const w of dirtyWindows(this.last, frame)) {
      await this.command(windowCommands(w));
      await this.data(windowData(frame, w));
    }
    this.last = frame;
  }

  private async init(): Promise<void> {
    await this.command(initSequence(this.opts));
    this.needsInit = false;
    this.last = undefined;
  }

  private async command(bytes: number[]): Promise<void> {
    await this.write(Buffer.from([CONTROL_COMMAND, ...bytes]));
  }

  private async data(bytes: Uint8Array): Promise<void> {
    const chunk = this.opts.chunkSize ?? DEFAULT_CHUNK;
    for (let at = 0; at < bytes.length; at += chunk) {
      const part = bytes.subarray(at, at + chunk);
      const buf = Buffer.alloc(part.length + 1);
      buf[0] = CONTROL_DATA;
      buf.set(part, 1);
      await this.write(buf);
    }
  }

  private async write(buf: Buffer): Promise<void> {
    if (!this.bus) throw new Error('bus closed');
    this.transactions++;
    this.bytesWritten += buf.length;
    const { bytesWritten } = await this.bus.i2cWrite(this.opts.address, buf.length, buf);
    if (bytesWritten !== buf.length) throw new Error(`short write: ${bytesWritten} of ${buf.length} bytes`);
  }

  private async loadFont(): Promise<void> {
    const unifont = new UnifontSource(this.opts.unifontPath);
    if (await unifont.load()) this.font = unifont;
    else this.log.warn({ path: this.opts.unifontPath, err: unifont.loadError?.message }, 'Unifont not loaded: non-ASCII text draws as boxes (apt install unifont)');
  }

  private async closeBus(): Promise<void> {
    const bus = this.bus;
    this.bus = undefined;
    await bus?.close().catch((err: unknown) => this.log.warn({ err: message(err) }, 'i2c close failed'));
  }
}

/** Opens /dev/i2c-N with i2c-bus's promise API; `load` is replaceable so the missing-module path is testable. */
export async function openI2cBus(busNumber: number, load: () => Promise<typeof import('i2c-bus')> = () => import('i2c-bus')): Promise<I2cBusLike> {
  let mod: typeof import('i2c-bus');
  try {
    mod = await load();
  } catch (err) {
    throw new DisplayError('DISPLAY_MODULE_MISSING', `the i2c-bus module is missing or did not build (${message(err)}): run \`npm install i2c-bus\` on the device (needs build-essential and python3), or set display.driver to "terminal"`, { cause: err });
  }
  return mod.openPromisified(busNumber);
}

function hex(address: number): string {
  return `0x${address.toString(16).padStart(2, '0')}`;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
