import { PNG } from 'pngjs';

/** What the fake controller knows about how it lights the glass. */
export interface PanelState {
  on: boolean;
  contrast: number;
  segRemap: boolean;
  comScanDec: boolean;
  inverted: boolean;
  entireOn: boolean;
  /** multiplex ratio + 1: how many rows the panel shows */
  rows: number;
}

const BEZEL = [24, 24, 26] as const;
const EDGE = [70, 70, 74] as const;
const GLASS = [4, 6, 10] as const;
/** the white-blue of the common SSD1306 modules */
const LIT = [175, 225, 255] as const;

/**
 * Renders GDDRAM as the panel shows it. Segment remap on + COM scan
 * decrementing is the upright orientation of the usual modules; clearing
 * either mirrors the picture, as on the real glass. Contrast dims the pixels,
 * and each pixel is drawn with a one-pixel gap to look like an OLED matrix.
 */
export function panelPng(gddram: Uint8Array, s: PanelState, scale: number): Buffer {
  const bezel = Math.max(2, scale * 2);
  const width = 128 * scale + bezel * 2;
  const height = s.rows * scale + bezel * 2;
  const png = new PNG({ width, height });
  fill(png, 0, 0, width, height, EDGE);
  fill(png, 1, 1, width - 2, height - 2, BEZEL);
  fill(png, bezel, bezel, 128 * scale, s.rows * scale, GLASS);
  const k = 0.45 + 0.55 * (s.contrast / 255);
  const lit = LIT.map((c) => Math.round(c * k)) as unknown as readonly [number, number, number];
  const dot = scale >= 3 ? scale - 1 : scale;
  for (let py = 0; py < s.rows; py++) {
    for (let px = 0; px < 128; px++) {
      if (!pixelOn(gddram, s, px, py)) continue;
      fill(png, bezel + px * scale, bezel + py * scale, dot, dot, lit);
    }
  }
  return PNG.sync.write(png);
}

function pixelOn(gddram: Uint8Array, s: PanelState, px: number, py: number): boolean {
  if (!s.on) return false;
  if (s.entireOn) return true;
  const col = s.segRemap ? px : 127 - px;
  const row = s.comScanDec ? py : s.rows - 1 - py;
  const on = (gddram[(row >> 3) * 128 + col]! & (1 << (row & 7))) !== 0;
  return on !== s.inverted;
}

function fill(png: PNG, x: number, y: number, w: number, h: number, rgb: readonly number[]): void {
  for (let yy = y; yy < y + h; yy++) {
    for (let xx = x; xx < x + w; xx++) {
      const i = (yy * png.width + xx) * 4;
      png.data[i] = rgb[0]!;
      png.data[i + 1] = rgb[1]!;
      png.data[i + 2] = rgb[2]!;
      png.data[i + 3] = 255;
    }
  }
}
