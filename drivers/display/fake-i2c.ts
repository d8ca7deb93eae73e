import { Bitmap } from './bitmap.js';
import { panelPng, type PanelState } from './panel-png.js';
import type { I2cBusLike } from './ssd1306.js';
import { ARG_COUNT, CMD, CONTROL_COMMAND, CONTROL_DATA } from './ssd1306-protocol.js';

export interface FakeI2cOptions {
  /** the address the fake panel answers on; writes elsewhere fail like a NACK */
  address?: number;
  /** awaited after each write, e.g. to simulate bus time (see bench/display.ts) */
  delay?: (bytes: number) => Promise<void>;
}

/**
 * An SSD1306 on a fake I2C bus. Records every write and interprets the
 * command stream the way the controller does (addressing modes, column and
 * page windows with auto-increment, on/off, contrast, remap), so its GDDRAM
 * shows what a real panel would: a test comparing `ram()` with the layout's
 * bitmap checks the driver's wire protocol, not just our own model.
 */
export class FakeI2cBus implements I2cBusLike {
  readonly writes: { address: number; bytes: Uint8Array }[] = [];
  /** protocol mistakes seen (unknown control byte, ...); a correct driver leaves this empty */
  readonly errors: string[] = [];
  /** the full 128×64 GDDRAM, page-major like Bitmap */
  readonly gddram = new Uint8Array(128 * 8);
  readonly state: PanelState = { on: false, contrast: 0x7f, segRemap: false, comScanDec: false, inverted: false, entireOn: false, rows: 64 };
  closed = false;
  private mode = 2; // reset default: page addressing
  private win = { col0: 0, col1: 127, page0: 0, page1: 7 };
  private col = 0;
  private page = 0;
  private cmd: number[] = [];
  private failures: Error[] = [];

  constructor(private readonly opts: FakeI2cOptions = {}) {}

  /** Makes the next `n` writes reject (a loose cable). */
  failNext(n = 1, error = new Error('EREMOTEIO: fake write failure')): void {
    for (let i = 0; i < n; i++) this.failures.push(error);
  }

  get bytesWritten(): number {
    return this.writes.reduce((n, w) => n + w.bytes.length, 0);
  }

  async i2cWrite(address: number, length: number, buffer: Buffer): Promise<{ bytesWritten: number }> {
    if (this.closed) throw new Error('fake i2c bus is closed');
    const failure = this.failures.shift();
    if (failure) throw failure;
    if (address !== (this.opts.address ?? 0x3c)) throw new Error(`EREMOTEIO: no device at 0x${address.toString(16)}`);
    const bytes = Uint8Array.from(buffer.subarray(0, length));
    this.writes.push({ address, bytes });
    this.interpret(bytes);
    await this.opts.delay?.(bytes.length);
    return { bytesWritten: bytes.length };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** For `openBus`: opening the bus again after close() reaches the same panel, RAM and all. */
  reopen(): this {
    this.closed = false;
    return this;
  }

  /** The visible part of GDDRAM (pages 0..height/8-1) as a bitmap. */
  ram(height: 64 | 32 = 64): Bitmap {
    return new Bitmap(128, height, this.gddram.slice(0, 128 * (height / 8)));
  }

  /** The panel as a person would see it, ×scale, with a thin bezel. */
  toPng(scale = 4): Buffer {
    return panelPng(this.gddram, this.state, scale);
  }

  private interpret(bytes: Uint8Array): void {
    const control = bytes[0];
    const rest = bytes.subarray(1);
    if (control === CONTROL_COMMAND) rest.forEach((b) => this.commandByte(b));
    else if (control === CONTROL_DATA) rest.forEach((b) => this.dataByte(b));
    else this.errors.push(`unsupported control byte 0x${(control ?? 0).toString(16)}`);
  }

  /** Commands may span transactions, so argument collection keeps state between writes. */
  private commandByte(b: number): void {
    this.cmd.push(b);
    const need = ARG_COUNT.get(this.cmd[0]!) ?? 0;
    if (this.cmd.length <= need) return;
    const [op, ...args] = this.cmd;
    this.cmd = [];
    this.execute(op!, args);
  }

  private execute(op: number, args: number[]): void {
    const s = this.state;
    const [a = 0, b = 0] = args;
    if (op === CMD.DISPLAY_OFF || op === CMD.DISPLAY_ON) s.on = op === CMD.DISPLAY_ON;
    else if (op === CMD.CONTRAST) s.contrast = a;
    else if (op === CMD.SEG_REMAP_OFF || op === CMD.SEG_REMAP_ON) s.segRemap = op === CMD.SEG_REMAP_ON;
    else if (op === CMD.COM_SCAN_INC || op === CMD.COM_SCAN_DEC) s.comScanDec = op === CMD.COM_SCAN_DEC;
    else if (op === CMD.NORMAL || op === CMD.INVERT) s.inverted = op === CMD.INVERT;
    else if (op === CMD.RESUME_RAM || op === CMD.ENTIRE_ON) s.entireOn = op === CMD.ENTIRE_ON;
    else if (op === CMD.MULTIPLEX) s.rows = (a & 0x3f) + 1;
    else if (op === CMD.MEMORY_MODE) this.mode = a & 3;
    else if (op === CMD.COLUMN_ADDR) [this.win.col0, this.win.col1, this.col] = [a & 0x7f, b & 0x7f, a & 0x7f];
    else if (op === CMD.PAGE_ADDR) [this.win.page0, this.win.page1, this.page] = [a & 7, b & 7, a & 7];
    else if (op >= 0xb0 && op <= 0xb7) this.page = op & 7;
    else if (op <= 0x0f) this.col = (this.col & 0xf0) | op;
    else if (op >= 0x10 && op <= 0x1f) this.col = ((op & 0x0f) << 4) | (this.col & 0x0f);
  }

  private dataByte(b: number): void {
    this.gddram[this.page * 128 + this.col] = b;
    if (this.mode === 0) {
      if (++this.col > this.win.col1) [this.col, this.page] = [this.win.col0, this.page + 1];
      if (this.page > this.win.page1) this.page = this.win.page0;
    } else if (this.mode === 1) {
      if (++this.page > this.win.page1) [this.page, this.col] = [this.win.page0, this.col + 1];
      if (this.col > this.win.col1) this.col = this.win.col0;
    } else {
      this.col = (this.col + 1) & 0x7f;
    }
  }
}
