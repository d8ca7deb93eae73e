import assert from 'node:assert/strict';
import fc from 'fast-check';
import { layoutScreen } from '../../../drivers/display/layout.js';
import { sampleScreens } from '../../../drivers/display/sample-screens.js';
import type { Language, Screen } from '../../../drivers/display/screen.js';
import { UnifontSource } from '../../../drivers/display/unifont.js';
import { WORDS, grouped } from '../../../drivers/display/words.js';
import { NOW, STATUS } from './helpers.js';
import { SCREENS_HEX, screenCharacters } from './make-fixture.js';

const LANGS: Language[] = ['en', 'zh'];

/**
 * Lines that may give way on the 128×64 panel, because the screen already says the same: "USB stick done"
 * under "Safe to remove", and "Nothing lost" under "Export failed … Call technician" in Chinese.
 */
const MAY_DROP = new Set<string>([...Object.values(WORDS.safeToRemoveHint), WORDS.nothingLost.zh]);

describe('display/fit: what a cashier or a manager must read is on the 128×64 panel', () => {
  const font = new UnifontSource(SCREENS_HEX);
  before(async () => assert.ok(await font.load(), 'fixture loads'));

  const lay = (screen: Screen, language: Language): ReturnType<typeof layoutScreen> =>
    layoutScreen(screen, { width: 128, height: 64, language, font, now: NOW });

  it('measures with the real glyphs: the fixture has every character the screens use', () => {
    const missing = [...screenCharacters()].filter((cp) => font.glyph(cp) === undefined).map((cp) => String.fromCodePoint(cp));
    assert.deepEqual(missing, [], 'regenerate: node dist/test/drivers/display/make-fixture.js');
  });

  it('drops no line of any sample screen, in either language, but the redundant ones', () => {
    for (const { name, screen } of sampleScreens(NOW)) {
      for (const language of LANGS) {
        const { dropped } = lay(screen, language);
        assert.deepEqual(dropped.filter((l) => !MAY_DROP.has(l)), [], `${name} ${language}`);
      }
    }
  });

  it('tells the manager what to do after an interrupted or refused export, in Chinese too', () => {
    const cases = [
      ['export-interrupted', WORDS.insertAgain],
      ['usb-full', WORDS.useAnother],
      ['usb-read-only', WORDS.useAnother],
      ['usb-not-marked', WORDS.noExportFolder],
    ] as const;
    for (const [message, action] of cases) {
      for (const language of LANGS) {
        const { drawn } = lay({ kind: 'message', message, status: STATUS }, language);
        assert.ok(drawn.includes(action[language]), `${message} ${language}: ${drawn.join(' | ')}`);
      }
    }
    for (const language of LANGS) {
      const { drawn } = lay({ kind: 'message', message: 'export-failed', detail: 'SEQUENCE_CONFLICT', status: STATUS }, language);
      assert.deepEqual(drawn.slice(0, 2), ['SEQUENCE_CONFLICT', WORDS.callTechnician[language]], language);
    }
  });

  it('shows "safe to remove" with both counts whole, up to 9,999,999 records and 99,999 not exported', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9_999_999 }), fc.integer({ min: 0, max: 99_999 }), fc.constantFrom(...LANGS), (count, skipped, language) => {
        const screen: Screen = { kind: 'message', message: 'safe-to-remove', count, status: STATUS };
        if (skipped > 0) screen.skipped = skipped;
        const { drawn } = lay(screen, language);
        assert.ok(drawn.includes(`${grouped(count)} ${WORDS.records[language]}`), drawn.join(' | '));
        if (skipped > 0) assert.ok(drawn.includes(`${grouped(skipped)} ${WORDS.notExported[language]}`), drawn.join(' | '));
      }),
      { numRuns: 200 },
    );
  });
});
