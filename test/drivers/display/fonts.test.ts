import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bitmap } from '../../../drivers/display/bitmap.js';
import { AsciiFont } from '../../../drivers/display/font-ascii.js';
import { NO_GLYPHS, tofu } from '../../../drivers/display/glyph.js';
import { TextPainter } from '../../../drivers/display/text-draw.js';
import { HexParser, parseHexLine, UnifontSource } from '../../../drivers/display/unifont.js';
import { FIXTURE_HEX, MISSING_HEX } from './helpers.js';

function rows(g: { width: number; height: number; bits: Uint8Array }): string[] {
  const stride = Math.ceil(g.width / 8);
  return Array.from({ length: g.height }, (_, y) =>
    Array.from({ length: g.width }, (_, x) => ((g.bits[y * stride + (x >> 3)]! & (0x80 >> (x & 7))) !== 0 ? '#' : '.')).join(''),
  );
}

describe('display/fonts', () => {
  it('has a 6×8 glyph for every printable ASCII character, blank only for space', () => {
    const font = new AsciiFont();
    for (let cp = 0x20; cp <= 0x7e; cp++) {
      const g = font.glyph(cp);
      assert.ok(g, `glyph for ${cp}`);
      assert.deepEqual([g.width, g.height], [6, 8]);
      assert.equal(g.bits.some((b) => b !== 0), cp !== 0x20, String.fromCharCode(cp));
    }
    assert.equal(font.glyph(0x4e00), undefined);
  });

  it('draws "A" from the classic 5×7 table', () => {
    const a = new AsciiFont().glyph(0x41)!;
    assert.deepEqual(rows(a).slice(0, 7), ['.###..', '#...#.', '#...#.', '#...#.', '#####.', '#...#.', '#...#.']);
  });

  it('parses .hex lines of 8×16 and 16×16 glyphs and rejects malformed ones', () => {
    const narrow = parseHexLine('0041:0000000018242442427E424242420000')!;
    assert.equal(narrow.codePoint, 0x41);
    assert.equal(narrow.bits.length, 16);
    assert.equal(narrow.bits[4], 0x18);
    const wide = parseHexLine(`4E00:${'00'.repeat(14)}FFFE${'00'.repeat(16)}`)!;
    assert.equal(wide.bits.length, 32);
    assert.equal(wide.bits[15], 0xfe);
    for (const bad of ['', '0041', '0041:00', 'XYZ1:' + '0'.repeat(32), '0041:' + '0'.repeat(48)]) {
      assert.equal(parseHexLine(bad), undefined, bad);
    }
  });

  it('streams lines split across chunks', () => {
    const seen: number[] = [];
    const parser = new HexParser((cp) => seen.push(cp));
    const text = `0041:${'0'.repeat(32)}\n# comment\n4E00:${'F'.repeat(64)}\nbroken\n0042:${'1'.repeat(32)}`;
    for (let i = 0; i < text.length; i += 7) parser.push(text.slice(i, i + 7));
    parser.end();
    assert.deepEqual(seen, [0x41, 0x4e00, 0x42]);
    assert.equal(parser.skipped, 1);
  });

  it('loads the Unifont fixture and finds CJK glyphs by code point', async () => {
    const font = new UnifontSource(FIXTURE_HEX);
    assert.equal(await font.load(), true);
    assert.equal(font.size, 18);
    const g = font.glyph('验'.codePointAt(0)!)!;
    assert.deepEqual([g.width, g.height], [16, 16]);
    assert.ok(g.bits.some((b) => b !== 0));
    assert.equal(font.glyph(0x41)?.width, 8);
    assert.equal(font.glyph(0x4e00), undefined);
  });

  it('sorts an unsorted file so lookups still work', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'unifont-')), 'u.hex');
    writeFileSync(path, `4E01:${'1'.repeat(64)}\n0041:${'2'.repeat(32)}\n4E00:${'3'.repeat(64)}\n`);
    const font = new UnifontSource(path);
    await font.load();
    assert.equal(font.glyph(0x41)?.bits[0], 0x22);
    assert.equal(font.glyph(0x4e00)?.bits[0], 0x33);
    assert.equal(font.glyph(0x4e01)?.bits[0], 0x11);
  });

  it('a missing file loads nothing and reports why, without throwing', async () => {
    const font = new UnifontSource(MISSING_HEX);
    assert.equal(await font.load(), false);
    assert.match(font.loadError?.message ?? '', /ENOENT/);
    assert.equal(font.glyph(0x9a8c), undefined);
  });

  it('draws a box for characters no font has, and the Unifont glyph when it has one', async () => {
    const font = new UnifontSource(FIXTURE_HEX);
    await font.load();
    const withFont = new TextPainter(font);
    const bmp = new Bitmap(32, 16);
    assert.equal(withFont.draw(bmp, '验', 0, 0, 'small', 16), 16);
    const expected = new Bitmap(32, 16);
    expected.blit(font.glyph('验'.codePointAt(0)!)!, 0, 0);
    assert.ok(bmp.equals(expected));

    const noFont = new TextPainter(NO_GLYPHS);
    const boxed = new Bitmap(32, 16);
    noFont.draw(boxed, '😀', 0, 0, 'small', 8);
    const box = new Bitmap(32, 16);
    box.blit(tofu(6, 8), 0, 0);
    assert.ok(boxed.equals(box));
  });
});
