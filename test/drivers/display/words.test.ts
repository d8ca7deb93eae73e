import assert from 'node:assert/strict';
import { REASON_TEXT } from '../../../coupon/reasons.js';
import { sampleScreens } from '../../../drivers/display/sample-screens.js';
import { FAULT_TEXT, WORDS, screenText, statusWords, when } from '../../../drivers/display/words.js';
import { NOW, STATUS } from './helpers.js';

const CJK = /[\u4e00-\u9fff]/;

describe('display/words', () => {
  it('has every word in English and in Chinese', () => {
    for (const [key, w] of Object.entries({ ...WORDS, ...FAULT_TEXT })) {
      assert.ok(w.en.trim() !== '' && !CJK.test(w.en), `${key} en`);
      if (key === 'usedAt' || key === 'idleLine') continue; // deliberately empty in Chinese (see words.ts)
      if (key === 'serial') continue; // deliberately ASCII in Chinese, so the line stays 8 px (see words.ts)
      assert.ok(CJK.test(w.zh), `${key} zh: ${w.zh}`);
    }
  });

  it('every sample screen has a headline in the chosen language', () => {
    for (const { name, screen } of sampleScreens(NOW)) {
      const [en] = screenText(screen, 'en', NOW);
      const [zh] = screenText(screen, 'zh', NOW);
      assert.ok(en && !CJK.test(en), `${name} en: ${en}`);
      assert.ok(zh && CJK.test(zh), `${name} zh: ${zh}`);
    }
  });

  it('a verdict says the reason, title, quantity and serial; ALREADY_REDEEMED says when and where', () => {
    const accepted = screenText({ kind: 'verdict', reason: 'ACCEPTED', title: 'Hotpot', quantity: 2, serial: 'S-1', status: STATUS }, 'en', NOW);
    assert.deepEqual(accepted, [REASON_TEXT.ACCEPTED.en, '×2  No. S-1', 'Hotpot', '[online]']);
    const used = screenText(
      { kind: 'verdict', reason: 'ALREADY_REDEEMED', redeemedAt: new Date(2026, 10, 25, 9, 5).getTime(), redeemedBy: 'till-02', status: STATUS },
      'zh',
      NOW,
    );
    assert.deepEqual(used, ['已使用', '09:05', '终端 till-02', '[在线]']);
  });

  it('gives the date when the first redemption was not today', () => {
    assert.equal(when(new Date(2026, 10, 25, 9, 5).getTime(), NOW), '09:05');
    assert.equal(when(new Date(2026, 10, 24, 23, 59).getTime(), NOW), '2026-11-24 23:59');
  });

  it('strips control characters and line breaks from coupon text', () => {
    const lines = screenText({ kind: 'verdict', reason: 'ACCEPTED', title: 'a\nb\u0007c\u2028d', status: STATUS }, 'en', NOW);
    assert.equal(lines[1], 'a b c d');
  });

  it('words the status line, omitting what is normal', () => {
    assert.equal(statusWords({ online: null, pending: 0, clockWarning: false, scanner: 'connected' }, 'en'), '');
    assert.equal(statusWords({ online: false, pending: 4, clockWarning: true, scanner: 'disconnected' }, 'en'), 'offline · 4 to upload · clock! · no scanner');
    assert.equal(statusWords({ online: true, pending: 1, clockWarning: false, scanner: 'connected' }, 'zh'), '在线 · 1 待上传');
  });
});
