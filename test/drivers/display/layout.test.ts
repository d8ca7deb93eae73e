import assert from 'node:assert/strict';
import fc from 'fast-check';
import { REASONS } from '../../../coupon/reasons.js';
import { Bitmap } from '../../../drivers/display/bitmap.js';
import { NO_GLYPHS, type GlyphSource } from '../../../drivers/display/glyph.js';
import { renderScreen } from '../../../drivers/display/layout.js';
import { sampleScreens } from '../../../drivers/display/sample-screens.js';
import type { Language, Screen, StatusLine } from '../../../drivers/display/screen.js';
import { TextPainter } from '../../../drivers/display/text-draw.js';
import { UnifontSource } from '../../../drivers/display/unifont.js';
import { anyScreen } from './arbitraries.js';
import { FIXTURE_HEX, NOW, STATUS } from './helpers.js';

const HEIGHTS = [64, 32] as const;
const LANGS: Language[] = ['en', 'zh'];

/** Rows from `y0` down, as a copy, to compare regions of two renders. */
function rowsFrom(b: Bitmap, y0: number): boolean[] {
  const out: boolean[] = [];
  for (let y = y0; y < b.height; y++) for (let x = 0; x < b.width; x++) out.push(b.get(x, y));
  return out;
}

function lit(b: Bitmap, y0 = 0, y1 = b.height): number {
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = 0; x < b.width; x++) if (b.get(x, y)) n++;
  return n;
}

describe('display/layout', () => {
  let unifont: GlyphSource;
  before(async () => {
    const source = new UnifontSource(FIXTURE_HEX);
    await source.load();
    unifont = source;
  });

  it('renders every sample screen in both languages and heights, each with something on it', () => {
    for (const { name, screen } of sampleScreens(NOW)) {
      for (const language of LANGS) {
        for (const height of HEIGHTS) {
          const b = renderScreen(screen, { width: 128, height, language, font: unifont, now: NOW });
          assert.deepEqual([b.width, b.height], [128, height]);
          assert.ok(lit(b, 0, height - 8) > 20, `${name} ${language} ${height} has content`);
        }
      }
    }
  });

  // (Chinese is checked with the real font by the screenshots; the fixture has only a few glyphs.)
  it('gives each reason its own picture', () => {
    for (const language of ['en'] as const) {
      const seen = new Set<string>();
      for (const reason of REASONS) {
        const b = renderScreen({ kind: 'verdict', reason, status: STATUS }, { width: 128, height: 64, language, font: unifont, now: NOW });
        seen.add(Buffer.from(b.data).toString('hex'));
      }
      assert.equal(seen.size, REASONS.length, language);
    }
  });

  it('never throws, and never draws over the status line, for any screen', () => {
    fc.assert(
      fc.property(anyScreen, fc.constantFrom(...LANGS), fc.constantFrom(...HEIGHTS), (screen, language, height) => {
        const opts = { width: 128 as const, height, language, font: unifont, now: NOW };
        const b = renderScreen(screen, opts);
        // The status rows (and the rule above them on 128×64) must be exactly what an idle screen with the same status shows.
        const idle = renderScreen({ kind: 'idle', status: screen.status }, opts);
        const from = height === 64 ? 54 : 24;
        assert.deepEqual(rowsFrom(b, from), rowsFrom(idle, from));
      }),
      { numRuns: 300 },
    );
  });

  it('draws the words: ACCEPTED in Chinese uses the Unifont glyphs, boxes without the font', () => {
    const screen: Screen = { kind: 'verdict', reason: 'ACCEPTED', title: 'Set', quantity: 2, status: STATUS };
    const withFont = renderScreen(screen, { width: 128, height: 64, language: 'zh', font: unifont, now: NOW });
    const boxes = renderScreen(screen, { width: 128, height: 64, language: 'zh', font: NO_GLYPHS, now: NOW });
    const english = renderScreen(screen, { width: 128, height: 64, language: 'en', font: unifont, now: NOW });
    assert.ok(!withFont.equals(boxes));
    assert.ok(!withFont.equals(english));
    // English does not need Unifont at all.
    assert.ok(english.equals(renderScreen(screen, { width: 128, height: 64, language: 'en', font: NO_GLYPHS, now: NOW })));
  });

  it('shows the status marks: each flag changes the status row', () => {
    const base: StatusLine = { online: null, pending: 0, clockWarning: false, scanner: 'connected' };
    const variants: StatusLine[] = [
      { ...base, online: true },
      { ...base, online: false },
      { ...base, pending: 3 },
      { ...base, clockWarning: true },
      { ...base, scanner: 'disconnected' },
    ];
    const row = (s: StatusLine): boolean[] => rowsFrom(renderScreen({ kind: 'idle', status: s }, { width: 128, height: 64, language: 'en', font: NO_GLYPHS }), 56);
    assert.equal(row(base).filter(Boolean).length, 0);
    const pictures = new Set(variants.map((v) => row(v).join()));
    assert.equal(pictures.size, variants.length);
  });

  it('ALREADY_REDEEMED shows the time today and the date otherwise', () => {
    const at = new Date(2026, 10, 25, 9, 5).getTime();
    const screen: Screen = { kind: 'verdict', reason: 'ALREADY_REDEEMED', redeemedAt: at, redeemedBy: 'till-02', status: STATUS };
    const today = renderScreen(screen, { width: 128, height: 64, language: 'en', font: NO_GLYPHS, now: NOW });
    const tomorrow = renderScreen(screen, { width: 128, height: 64, language: 'en', font: NO_GLYPHS, now: NOW + 86_400_000 });
    assert.ok(!today.equals(tomorrow));
  });

  it('puts text on whole pages: the idle prompt inks 2 pages in Chinese (one 16-px line), 3 in English (16 + 8 px)', () => {
    const inkedPages = (language: Language): number[] => {
      const b = renderScreen({ kind: 'idle', status: STATUS }, { width: 128, height: 64, language, font: unifont, now: NOW });
      const pages: number[] = [];
      for (let page = 0; page < 6; page++) if (b.data.subarray(page * 128, (page + 1) * 128).some((x) => x !== 0)) pages.push(page);
      return pages;
    };
    assert.deepEqual(inkedPages('zh'), [3, 4]);
    assert.deepEqual(inkedPages('en'), [2, 3, 4]);
  });

  it('fills the progress bar in proportion', () => {
    const bar = (done: number): number => {
      const b = renderScreen({ kind: 'progress', label: 'export', done, total: 100, status: STATUS }, { width: 128, height: 64, language: 'en', font: NO_GLYPHS });
      return lit(b, 26, 29); // the bar's inside: rows 26..28 on 128×64 (the bar fills page 3, below the 24-px icon row)
    };
    assert.ok(bar(0) < bar(50));
    assert.ok(bar(50) < bar(100));
    assert.equal(bar(100), bar(500)); // clamped: over-full is full
  });
});

describe('display/text-draw', () => {
  const painter = new TextPainter(NO_GLYPHS);

  it('ellipsizes text to fit, and leaves fitting text alone', () => {
    assert.equal(painter.fit('short', 'small', 128), 'short');
    const cut = painter.fit('a very long coupon title that cannot fit on the panel', 'small', 60);
    assert.ok(cut.endsWith('…'));
    assert.ok(painter.measure(cut, 'small').width <= 60);
    assert.equal(painter.fit('anything', 'small', 3), '');
  });

  it('wraps at spaces, breaks words with none, and ellipsizes the last line', () => {
    assert.deepEqual(painter.wrap('Unsupported coupon type', 'small', 80, 2), ['Unsupported', 'coupon type']);
    const lines = painter.wrap('x'.repeat(50), 'small', 60, 2);
    assert.equal(lines.length, 2);
    assert.equal(lines[0], 'x'.repeat(10));
    assert.ok(lines[1]!.endsWith('…'));
    for (const l of lines) assert.ok(painter.measure(l, 'small').width <= 60);
  });

  it('knows which lines leave their bottom row blank: the built-in font and boxes do, Unifont CJK does not', async () => {
    const source = new UnifontSource(FIXTURE_HEX);
    await source.load();
    const withUnifont = new TextPainter(source);
    assert.equal(withUnifont.leavesBottomRowBlank('Ready', 'big', 16), true);
    assert.equal(withUnifont.leavesBottomRowBlank('No. A7K3', 'small', 8), true);
    assert.equal(withUnifont.leavesBottomRowBlank('验证成功', 'big', 16), false);
    assert.equal(painter.leavesBottomRowBlank('验证成功', 'big', 16), true);
  });

  it('measures CJK lines as 16 px high with 16-px boxes when no font has them', () => {
    const m = painter.measure('已使用', 'big');
    assert.deepEqual(m, { width: 36, height: 16 });
    assert.deepEqual(painter.measure('Ok', 'small'), { width: 12, height: 8 });
  });
});
