import type { Bitmap } from './bitmap.js';
import { AsciiFont, BIG_SCALE, SMALL } from './font-ascii.js';
import { tofu, type Glyph, type GlyphSource } from './glyph.js';

/**
 * 'small': 6×8 ASCII cells; 'big': the same doubled (12×16); 'tall': the
 * fallback font's own 8×16 ASCII when it has it (Unifont does), so a headline
 * too wide for 'big' can still be 16 px high. Other scripts use the fallback
 * font's 16-px glyphs in every style.
 */
export type TextStyle = 'small' | 'big' | 'tall';

interface Placed {
  glyph: Glyph;
  scale: number;
  width: number;
  height: number;
}

const ELLIPSIS = '…';

/**
 * Measures, fits and draws one line of text. ASCII comes from the built-in
 * font; anything else from the fallback (Unifont); a character neither has is
 * a box. A line is as tall as its tallest glyph (8 or 16 px), and narrower
 * glyphs sit on a common baseline so mixed "终端 till-02" lines look right.
 */
export class TextPainter {
  private readonly ascii = new AsciiFont();
  private readonly boxSmall = tofu(SMALL.width, SMALL.height);
  private readonly boxBig = tofu(SMALL.width * BIG_SCALE, SMALL.height * BIG_SCALE);

  constructor(private readonly fallback: GlyphSource) {}

  /** Per (code point, style): layout measures the same few characters over and over. */
  private readonly placed = new Map<string, Placed>();

  private place(cp: number, style: TextStyle): Placed {
    const key = `${style}${cp}`;
    let p = this.placed.get(key);
    if (!p) this.placed.set(key, (p = this.resolve(cp, style)));
    return p;
  }

  private resolve(cp: number, style: TextStyle): Placed {
    const own = style === 'tall' && this.fallback.glyph(cp) ? undefined : this.ascii.glyph(cp);
    const scale = style === 'big' ? BIG_SCALE : 1;
    if (own) return { glyph: own, scale, width: own.width * scale, height: own.height * scale };
    const other = this.fallback.glyph(cp);
    if (other) return { glyph: other, scale: 1, width: other.width, height: other.height };
    const box = style === 'small' ? this.boxSmall : this.boxBig;
    return { glyph: box, scale: 1, width: box.width, height: box.height };
  }

  private layout(text: string, style: TextStyle): Placed[] {
    const out: Placed[] = [];
    for (const ch of text) out.push(this.place(ch.codePointAt(0)!, style));
    return out;
  }

  private charWidth(ch: string, style: TextStyle): number {
    return this.place(ch.codePointAt(0)!, style).width;
  }

  measure(text: string, style: TextStyle): { width: number; height: number } {
    const placed = this.layout(text, style);
    const width = placed.reduce((sum, p) => sum + p.width, 0);
    const height = placed.reduce((h, p) => Math.max(h, p.height), style === 'small' ? 8 : 16);
    return { width, height };
  }

  /** Whether every character of `text` has a 16-px glyph in the 'tall' style (false without Unifont). */
  allTall(text: string): boolean {
    return this.layout(text, 'tall').every((p) => p.height === 16 && p.glyph !== this.boxBig);
  }

  /** The longest prefix that fits in `maxWidth`, with an ellipsis when cut. */
  fit(text: string, style: TextStyle, maxWidth: number): string {
    if (this.measure(text, style).width <= maxWidth) return text;
    const chars = Array.from(text);
    const room = maxWidth - this.charWidth(ELLIPSIS, style);
    let width = 0;
    let n = 0;
    for (const ch of chars) {
      const w = this.charWidth(ch, style);
      if (width + w > room) break;
      width += w;
      n++;
    }
    return room < 0 ? '' : chars.slice(0, n).join('').trimEnd() + ELLIPSIS;
  }

  /**
   * Breaks text into at most `maxLines` lines of `maxWidth`, preferring
   * spaces (English) but breaking anywhere when a word is too long (CJK has
   * no spaces). The last line is ellipsized if text is left over.
   */
  wrap(text: string, style: TextStyle, maxWidth: number, maxLines: number): string[] {
    const lines: string[] = [];
    let rest = text.trim();
    while (rest !== '' && lines.length < maxLines - 1) {
      const cut = this.breakAt(rest, style, maxWidth);
      if (cut === 0) break;
      lines.push(rest.slice(0, cut).trimEnd());
      rest = rest.slice(cut).trimStart();
    }
    if (rest !== '') lines.push(this.fit(rest, style, maxWidth));
    return lines.filter((l) => l !== '');
  }

  /** How many UTF-16 units of `text` fit on one line. */
  private breakAt(text: string, style: TextStyle, maxWidth: number): number {
    let width = 0;
    let end = 0;
    let lastSpace = -1;
    for (const ch of text) {
      const w = this.charWidth(ch, style);
      if (width + w > maxWidth) break;
      width += w;
      if (ch === ' ') lastSpace = end;
      end += ch.length;
    }
    if (end >= text.length) return text.length;
    return lastSpace > 0 ? lastSpace + 1 : end;
  }

  /**
   * Whether the bottom row of the line stays blank. The built-in font's cells
   * end in blank rows, so its lines can sit right on the next one; Unifont's
   * CJK glyphs use all 16 rows and need a spacer row below.
   */
  leavesBottomRowBlank(text: string, style: TextStyle, lineHeight: number): boolean {
    return this.layout(text, style).every((p) => {
      const row = lineHeight - 1 - this.top(p, lineHeight);
      if (row >= p.height) return true;
      const stride = Math.ceil(p.glyph.width / 8);
      const at = Math.floor(row / p.scale) * stride;
      return p.glyph.bits.subarray(at, at + stride).every((b) => b === 0);
    });
  }

  /** 8-px ASCII sits low in a 16-px line so its baseline meets Unifont's (row 13). */
  private top(p: Placed, lineHeight: number): number {
    const dy = p.height >= lineHeight ? 0 : lineHeight - p.height - (lineHeight >= 16 ? 2 : 0);
    return Math.max(0, dy);
  }

  /** Draws one line with its top at y in a line `lineHeight` tall; returns the width drawn. */
  draw(bmp: Bitmap, text: string, x: number, y: number, style: TextStyle, lineHeight: number): number {
    let cx = x;
    for (const p of this.layout(text, style)) {
      bmp.blit(p.glyph, cx, y + this.top(p, lineHeight), p.scale);
      cx += p.width;
    }
    return cx - x;
  }
}
