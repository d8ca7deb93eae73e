/**
 * Writes test/drivers/display/fixtures/unifont-screens.hex: the GNU Unifont glyphs of every character the
 * screens' words use, so the fit tests measure lines exactly as the kiosk does without the 2 MB font.
 *
 *   npm run build && node dist/test/drivers/display/make-fixture.js [/usr/share/unifont/unifont.hex]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { REASON_TEXT } from '../../../coupon/reasons.js';
import { FAULT_TEXT, WORDS } from '../../../drivers/display/words.js';

export const SCREENS_HEX = fileURLToPath(new URL('../../../../test/drivers/display/fixtures/unifont-screens.hex', import.meta.url));

/** Printable ASCII (Unifont's 8×16 glyphs are the 'tall' style), the marks the layout adds, and every screen word. */
export function screenCharacters(): Set<number> {
  const chars = new Set<number>();
  for (let c = 0x20; c < 0x7f; c++) chars.add(c);
  for (const ch of '×…·') chars.add(ch.codePointAt(0)!);
  for (const table of [WORDS, FAULT_TEXT, REASON_TEXT]) {
    for (const w of Object.values(table)) for (const s of [w.en, w.zh]) for (const ch of s) chars.add(ch.codePointAt(0)!);
  }
  return chars;
}

function main(source: string): void {
  const chars = screenCharacters();
  const glyphs = readFileSync(source, 'utf8')
    .split('\n')
    .filter((l) => {
      const m = /^([0-9A-F]{4,6}):/.exec(l);
      return m !== null && chars.has(parseInt(m[1]!, 16));
    });
  const header = [
    `# Test fixture: ${glyphs.length} glyphs copied from GNU Unifont (unifont.hex, Debian package unifont) for the screen fit`,
    '# tests: printable ASCII and every character of the screen words (drivers/display/words.ts, coupon/reasons.ts).',
    '# Regenerate after adding words: node dist/test/drivers/display/make-fixture.js (test/drivers/display/make-fixture.ts).',
    '# Unifont is dual-licensed GPL-2.0-or-later with the GNU font embedding exception, or SIL OFL 1.1.',
  ];
  writeFileSync(SCREENS_HEX, [...header, ...glyphs, ''].join('\n'));
  process.stdout.write(`wrote ${glyphs.length} of ${chars.size} glyphs to ${SCREENS_HEX}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv[2] ?? '/usr/share/unifont/unifont.hex');
