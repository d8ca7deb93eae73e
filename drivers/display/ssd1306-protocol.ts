/**
 * SSD1306 wire protocol constants and the pieces of it the driver and the
 * fake bus share. Over I2C every transaction starts with a control byte:
 * 0x00 = the rest are commands, 0x40 = the rest are GDDRAM data.
 */
export const CONTROL_COMMAND = 0x00;
export const CONTROL_DATA = 0x40;

export const CMD = {
  DISPLAY_OFF: 0xae,
  DISPLAY_ON: 0xaf,
  CLOCK_DIV: 0xd5,
  MULTIPLEX: 0xa8,
  DISPLAY_OFFSET: 0xd3,
  START_LINE: 0x40,
  CHARGE_PUMP: 0x8d,
  MEMORY_MODE: 0x20,
  SEG_REMAP_OFF: 0xa0,
  SEG_REMAP_ON: 0xa1,
  COM_SCAN_INC: 0xc0,
  COM_SCAN_DEC: 0xc8,
  COM_PINS: 0xda,
  CONTRAST: 0x81,
  PRECHARGE: 0xd9,
  VCOMH: 0xdb,
  RESUME_RAM: 0xa4,
  ENTIRE_ON: 0xa5,
  NORMAL: 0xa6,
  INVERT: 0xa7,
  COLUMN_ADDR: 0x21,
  PAGE_ADDR: 0x22,
  SCROLL_OFF: 0x2e,
} as const;

/** How many argument bytes follow each multi-byte command (everything else takes none). */
export const ARG_COUNT: ReadonlyMap<number, number> = new Map([
  [CMD.CLOCK_DIV, 1],
  [CMD.MULTIPLEX, 1],
  [CMD.DISPLAY_OFFSET, 1],
  [CMD.CHARGE_PUMP, 1],
  [CMD.MEMORY_MODE, 1],
  [CMD.COM_PINS, 1],
  [CMD.CONTRAST, 1],
  [CMD.PRECHARGE, 1],
  [CMD.VCOMH, 1],
  [CMD.COLUMN_ADDR, 2],
  [CMD.PAGE_ADDR, 2],
  [0x26, 6], // horizontal scroll set-up (not used; parsed so the fake stays in step)
  [0x27, 6],
  [0x29, 5],
  [0x2a, 5],
  [0xa3, 2],
]);

/**
 * The power-on sequence, in the order of the datasheet's application note.
 * `flip` rotates 180° (for a panel mounted upside down); our "not flipped" is
 * segment remap on + COM scan decrementing, the orientation of the common
 * 0.96"/0.91" modules with the header pins at the top.
 */
export function initSequence(opts: { height: 64 | 32; contrast: number; flip: boolean }): number[] {
  return [
    CMD.DISPLAY_OFF,
    CMD.CLOCK_DIV, 0x80, // the datasheet's reset value: divide 1, mid oscillator
    CMD.MULTIPLEX, opts.height - 1,
    CMD.DISPLAY_OFFSET, 0x00,
    CMD.START_LINE | 0,
    CMD.CHARGE_PUMP, 0x14, // internal DC/DC on: these modules have no external VCC
    CMD.MEMORY_MODE, 0x00, // horizontal addressing: a window fills column by column, page by page
    ...orientation(opts.flip),
    CMD.COM_PINS, opts.height === 64 ? 0x12 : 0x02, // alternative COM config for 64 rows, sequential for 32
    CMD.CONTRAST, clampByte(opts.contrast),
    CMD.PRECHARGE, 0xf1, // for the internal charge pump
    CMD.VCOMH, 0x40,
    CMD.SCROLL_OFF,
    CMD.RESUME_RAM,
    CMD.NORMAL,
    CMD.DISPLAY_ON,
  ];
}

export function orientation(flip: boolean): number[] {
  return flip ? [CMD.SEG_REMAP_OFF, CMD.COM_SCAN_INC] : [CMD.SEG_REMAP_ON, CMD.COM_SCAN_DEC];
}

export function clampByte(n: number): number {
  return Math.max(0, Math.min(255, Math.round(Number.isFinite(n) ? n : 0)));
}

/** A GDDRAM window: inclusive column and page ranges. */
export interface Window {
  col0: number;
  col1: number;
  page0: number;
  page1: number;
}

export function windowCommands(w: Window): number[] {
  return [CMD.COLUMN_ADDR, w.col0, w.col1, CMD.PAGE_ADDR, w.page0, w.page1];
}
