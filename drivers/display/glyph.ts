/**
 * A glyph is rows of bits, MSB = leftmost pixel, `ceil(width/8)` bytes per
 * row: the layout of GNU Unifont's .hex lines, so Unifont glyphs need no
 * conversion and the built-in font is converted once.
 */
export interface Glyph {
  readonly width: number;
  readonly height: number;
  readonly bits: Uint8Array;
}

/** Looks glyphs up by Unicode code point; `undefined` when it has none. */
export interface GlyphSource {
  glyph(codePoint: number): Glyph | undefined;
}

/** A source with no glyphs: layout then draws boxes for anything non-ASCII. */
export const NO_GLYPHS: GlyphSource = { glyph: () => undefined };

/** The "tofu" box drawn for a character no font has: an outlined rectangle. */
export function tofu(width: number, height: number): Glyph {
  const stride = Math.ceil(width / 8);
  const bits = new Uint8Array(stride * height);
  const set = (x: number, y: number): void => {
    bits[y * stride + (x >> 3)]! |= 0x80 >> (x & 7);
  };
  for (let x = 1; x < width - 1; x++) {
    set(x, 1);
    set(x, height - 2);
  }
  for (let y = 1; y < height - 1; y++) {
    set(1, y);
    set(width - 2, y);
  }
  return { width, height, bits };
}
