import { Bitmap } from './bitmap.js';
import type { GlyphSource } from './glyph.js';
import { drawIcon, drawMark } from './icons.js';
import type { Language, Screen, StatusLine } from './screen.js';
import { TextPainter, type TextStyle } from './text-draw.js';
import { screenWords, shortAge, type ScreenWords } from './words.js';

export interface LayoutOptions {
  width: 128;
  height: 64 | 32;
  language: Language;
  /** glyphs beyond ASCII (Unifont); NO_GLYPHS draws boxes */
  font: GlyphSource;
  /** "now" for ALREADY_REDEEMED's "today or not"; defaults to the current time */
  now?: number;
}

/** Pixel rows per GDDRAM page: the unit the driver sends. */
const PAGE = 8;

interface Geometry {
  width: number;
  /** first row below the content area */
  contentBottom: number;
  statusY: number;
  iconSize: number;
}

interface Line {
  text: string;
  style: TextStyle;
  height: number;
}

/**
 * Screen model → pixels. Pure: the same screen, options and `now` give the
 * same bitmap. Every text is fitted or ellipsized to the width and lines that
 * do not fit the height are dropped (they are listed most important first),
 * so nothing ever draws outside its area.
 */
export function renderScreen(screen: Screen, opts: LayoutOptions): Bitmap {
  const bmp = new Bitmap(opts.width, opts.height);
  // A painter per call: its glyph cache is tiny and this keeps the function free of shared state.
  const painter = new TextPainter(opts.font);
  const geo = geometry(opts.width, opts.height);
  const words = screenWords(screen, opts.language, opts.now ?? Date.now());
  if (words.icon === 'none') drawCentered(bmp, painter, geo, words);
  else drawWithIcon(bmp, painter, geo, words);
  drawStatus(bmp, painter, geo, screen.status);
  return bmp;
}

function geometry(width: number, height: number): Geometry {
  // 128×64: content, a separator rule, then the status row. 128×32 has no room for the rule.
  if (height >= 64) return { width, contentBottom: height - 10, statusY: height - 8, iconSize: 24 };
  return { width, contentBottom: height - 8, statusY: height - 8, iconSize: 16 };
}

/**
 * The headline: big on one line if it fits; else 16 px high on one line, or
 * on two when there is room (128×64) and the font has 16-px glyphs for all of
 * it; else wrapped in the small font.
 */
function headlineLines(p: TextPainter, text: string, maxWidth: number, maxHeight: number): Line[] {
  for (const style of ['big', 'tall'] as const) {
    const size = p.measure(text, style);
    if (size.width <= maxWidth) return [{ text, style, height: size.height }];
  }
  if (maxHeight >= 48 && p.allTall(text)) {
    const two = p.wrap(text, 'tall', maxWidth, 2);
    if (!two.some((l) => l.endsWith('…'))) return two.map((t) => ({ text: t, style: 'tall', height: 16 }));
  }
  // Wrapped CJK keeps 16-px ASCII (Unifont's own) so "U盘" does not mix sizes; English wraps small.
  const lineHeight = p.measure(text, 'small').height;
  const style: TextStyle = lineHeight > 8 ? 'tall' : 'small';
  const maxLines = Math.max(1, Math.floor(maxHeight / lineHeight));
  return p.wrap(text, style, maxWidth, maxLines).map((t) => ({ text: t, style, height: lineHeight }));
}

/**
 * Detail lines in priority order, each fitted to the width; the caller drops
 * what does not fit. Lines with CJK are 16 px high anyway, so their ASCII is
 * drawn 16 px high too when the line still fits ("U盘" rather than a tiny U).
 */
function detailLines(p: TextPainter, texts: readonly string[], maxWidth: number): Line[] {
  return texts.map((t) => {
    const style: TextStyle = p.measure(t, 'small').height > 8 && p.measure(t, 'tall').width <= maxWidth ? 'tall' : 'small';
    const text = p.fit(t, style, maxWidth);
    return { text, style, height: p.measure(text, style).height };
  });
}

function drawWithIcon(bmp: Bitmap, p: TextPainter, geo: Geometry, w: ScreenWords): void {
  const textX = geo.iconSize + 4;
  const head = headlineLines(p, w.headline, geo.width - textX, geo.contentBottom);
  const headH = sum(head);
  const topH = Math.min(geo.contentBottom, Math.max(geo.iconSize, headH));
  drawIcon(bmp, w.icon, 0, pageRow((topH - geo.iconSize) / 2, topH - geo.iconSize), geo.iconSize);
  // A headline lower than the icon sits on the icon's foot (the check's baseline) when its last row is
  // blank, else at the top so it does not touch the lines below. Either way on whole pages.
  let y = head.every((l) => p.leavesBottomRowBlank(l.text, l.style, l.height)) ? floorPage(topH - headH) : 0;
  for (const line of head) {
    if (y + line.height > geo.contentBottom) break;
    p.draw(bmp, line.text, textX, y, line.style, line.height);
    y += line.height;
  }
  // No spacer rows: the fonts' own blank bottom rows separate the lines, and every line stays on whole pages.
  y = Math.ceil(topH / PAGE) * PAGE;
  if (w.progress) y = drawBar(bmp, geo, y, w.progress.done, w.progress.total);
  for (const line of detailLines(p, w.lines, geo.width)) {
    if (y + line.height > geo.contentBottom) continue;
    p.draw(bmp, line.text, 0, y, line.style, line.height);
    y += line.height;
  }
}

function drawCentered(bmp: Bitmap, p: TextPainter, geo: Geometry, w: ScreenWords): void {
  const head = headlineLines(p, w.headline, geo.width, geo.contentBottom);
  const lines = [...head];
  let used = sum(head);
  for (const line of detailLines(p, w.lines, geo.width)) {
    if (used + line.height > geo.contentBottom) continue;
    lines.push(line);
    used += line.height;
  }
  let y = centeredRow(p, lines, geo.contentBottom - used);
  for (const line of lines) {
    const x = Math.max(0, (geo.width - p.measure(line.text, line.style).width) >> 1);
    p.draw(bmp, line.text, x, y, line.style, line.height);
    y += line.height;
  }
}

/**
 * Text lines are 8 or 16 px high, so a line starting on a page boundary
 * (a multiple of 8) covers exactly one or two GDDRAM pages; one starting
 * mid-page covers one more, and every byte of that page goes on the bus
 * when the screen changes.
 */
function floorPage(y: number): number {
  return Math.max(0, Math.floor(y / PAGE) * PAGE);
}

/**
 * The top row for a centred block of lines with `slack` free rows: the page
 * boundary at or below the true centre, where the detail lines of verdict
 * screens are, so the idle prompt shares their pages (fewer bytes on a
 * verdict change) and the status row below balances it; one page higher when
 * that would put a line whose last row is inked onto the status row.
 */
function centeredRow(p: TextPainter, lines: readonly Line[], slack: number): number {
  const low = Math.ceil(Math.max(0, slack) / 2 / PAGE) * PAGE;
  const last = lines[lines.length - 1];
  const spacer = last && !p.leavesBottomRowBlank(last.text, last.style, last.height) ? 1 : 0;
  return low + spacer <= slack ? low : floorPage(slack / 2);
}

/** The page boundary nearest to `y`, but not below `max`. */
function pageRow(y: number, max: number): number {
  const aligned = Math.round(Math.max(0, y) / PAGE) * PAGE;
  return aligned <= max ? aligned : floorPage(max);
}

/**
 * An outlined bar filled in proportion, 7 px high so it and the blank row
 * under it fill one page; returns the next free row (a page boundary).
 */
function drawBar(bmp: Bitmap, geo: Geometry, y: number, done: number, total: number): number {
  const h = Math.min(PAGE - 1, geo.contentBottom - y);
  if (h < 5) return y;
  const frac = total > 0 && Number.isFinite(done) ? Math.min(1, Math.max(0, done / total)) : 0;
  bmp.fillRect(0, y, geo.width, h);
  bmp.fillRect(1, y + 1, geo.width - 2, h - 2, false);
  bmp.fillRect(2, y + 2, Math.round((geo.width - 4) * frac), h - 4);
  return y + PAGE;
}

/** Language-neutral marks: uplink, pending count, clock warning, scanner gone. */
function drawStatus(bmp: Bitmap, p: TextPainter, geo: Geometry, status: StatusLine): void {
  if (geo.statusY > geo.contentBottom) bmp.fillRect(0, geo.contentBottom + 1, geo.width, 1);
  const y = geo.statusY;
  let x = 0;
  if (status.online !== null) {
    drawMark(bmp, status.online ? 'online' : 'offline', x, y);
    x += 12;
  }
  if (status.sinceSyncS !== undefined) {
    x += p.draw(bmp, p.fit(status.sinceSyncS === null ? '-' : shortAge(status.sinceSyncS), 'small', 24), x, y, 'small', 8) + 4;
  }
  if (status.pending > 0) {
    drawMark(bmp, 'pending', x, y);
    const count = p.fit(String(Math.floor(status.pending)), 'small', 40);
    x += 8 + p.draw(bmp, count, x + 8, y, 'small', 8) + 4;
  }
  if ((status.conflicts ?? 0) > 0) {
    x += p.draw(bmp, p.fit(`!${status.conflicts}`, 'small', 24), x, y, 'small', 8) + 4;
  }
  if (status.clockWarning) {
    drawMark(bmp, 'clock', x, y);
    x += 8 + p.draw(bmp, '!', x + 8, y, 'small', 8) + 2;
  }
  if (status.scanner === 'disconnected') {
    drawMark(bmp, 'noScanner', x, y);
    p.draw(bmp, '×', x + 8, y, 'small', 8);
  }
}

function sum(lines: readonly Line[]): number {
  return lines.reduce((h, l) => h + l.height, 0);
}
