import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { KeyboardLayout } from '../../../drivers/config.js';
import { BootKeyboardDecoder } from '../../../drivers/scanner/hid-keyboard.js';
import { LAYOUTS } from '../../../drivers/scanner/hid-keymap.js';
import { ALTGR, ENTER, RELEASE, SHIFT, encode, report, strokeFor, type Stroke } from '../../../drivers/scanner/hid-typing.js';

const RSHIFT = 0x20;
const CAPS = 0x39;

/** A faster scanner with rollover: the next key goes down before the previous one is released. */
function encodeRollover(layout: KeyboardLayout, text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  let held: Stroke | undefined;
  for (const c of text) {
    const s = strokeFor(layout, c);
    // the same key again, or a modifier change, needs a release in between
    if (held && (held.usage === s.usage || held.mods !== s.mods)) {
      out.push(RELEASE);
      held = undefined;
    }
    out.push(held ? report(s.mods, held.usage, s.usage) : report(s.mods, s.usage));
    out.push(report(s.mods, s.usage));
    held = s;
  }
  out.push(RELEASE);
  return out;
}

function decode(layout: KeyboardLayout, reports: Uint8Array[]): string {
  const d = new BootKeyboardDecoder(layout);
  return reports.map((r) => d.feed(r)).join('');
}

/** ~400 chars of Base64 like a real coupon, deterministic. */
function couponText(): string {
  let bytes = Buffer.alloc(0);
  for (let i = 0; bytes.length < 298; i++) bytes = Buffer.concat([bytes, createHash('sha256').update(`coupon ${i}`).digest()]);
  return bytes.subarray(0, 298).toString('base64');
}

const REQUIRED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_.: ';

describe('BootKeyboardDecoder', () => {
  const coupon = couponText();

  it('the coupon text is realistic Base64 of ~400 chars with + / =', () => {
    assert.ok(coupon.length >= 396 && coupon.length <= 404, String(coupon.length));
    assert.match(coupon, /^[A-Za-z0-9+/]+={0,2}$/);
  });

  it('the FR encoder types digits with Shift on the top row (not the keypad)', () => {
    assert.deepEqual(strokeFor('fr', '7'), { usage: 0x24, mods: SHIFT });
    assert.deepEqual(strokeFor('de', 'z'), { usage: 0x1c, mods: 0 });
  });

  for (const layout of LAYOUTS) {
    describe(`layout ${layout}`, () => {
      it('can type every character of Base64, URL-safe text and : . space', () => {
        for (const c of REQUIRED) assert.equal(decode(layout, encode(layout, c)), `${c}\n`, `char ${JSON.stringify(c)}`);
      });

      it('a full coupon typed as reports decodes to the same text', () => {
        assert.equal(decode(layout, encode(layout, coupon)), `${coupon}\n`);
      });

      it('the same coupon typed with key rollover decodes the same', () => {
        assert.equal(decode(layout, encodeRollover(layout, coupon + 'aa11==')), coupon + 'aa11==');
      });

      it('URL-safe text with - _ . : and spaces', () => {
        const text = 'KC1:v1.ab-cd_EF gh-9_0';
        assert.equal(decode(layout, encode(layout, text)), `${text}\n`);
      });
    });
  }

  /** Known physical keys, written by hand from the layout charts (not from our table). */
  const KNOWN: { layout: KeyboardLayout; reports: Uint8Array[]; want: string; why: string }[] = [
    { layout: 'us', reports: [report(SHIFT, 0x1f), report(0, 0x38), report(RSHIFT, 0x2e)], want: '@/+', why: 'US shift+2 is @' },
    { layout: 'uk', reports: [report(SHIFT, 0x1f), report(SHIFT, 0x34), report(0, 0x32)], want: '"@#', why: 'UK shift+2 is ", shift+\' is @' },
    { layout: 'de', reports: [report(0, 0x1c), report(0, 0x1d), report(SHIFT, 0x24), report(SHIFT, 0x27), report(0, 0x30), report(0, 0x38), report(SHIFT, 0x38), report(SHIFT, 0x37)], want: 'zy/=+-_:', why: 'QWERTZ' },
    { layout: 'de', reports: [report(ALTGR, 0x14), report(0x05, 0x14)], want: '@@', why: 'AltGr+Q and Ctrl+Alt+Q are @' },
    { layout: 'fr', reports: [report(0, 0x14), report(0, 0x04), report(0, 0x1a), report(0, 0x1d), report(0, 0x33), report(0, 0x10)], want: 'aqzwm,', why: 'AZERTY letters' },
    { layout: 'fr', reports: [report(0, 0x1e), report(SHIFT, 0x1e), report(0, 0x27), report(SHIFT, 0x27), report(0, 0x23), report(0, 0x25)], want: '&1à0-_', why: 'FR digits need shift' },
    { layout: 'fr', reports: [report(SHIFT, 0x37), report(0, 0x2e), report(SHIFT, 0x2e), report(SHIFT, 0x36), report(0, 0x37)], want: '/=+.:', why: 'FR punctuation' },
  ];
  for (const k of KNOWN) {
    it(`${k.layout}: ${k.why} -> ${JSON.stringify(k.want)}`, () => {
      // a release between the reports, as a scanner sends them
      assert.equal(decode(k.layout, k.reports.flatMap((r) => [r, RELEASE])), k.want);
    });
  }

  it('caps lock toggles and affects letters only; shift inverts it', () => {
    const reports = [report(0, CAPS), RELEASE, report(0, 0x04), RELEASE, report(0, 0x1e), RELEASE, report(SHIFT, 0x05), RELEASE, report(0, 0x2d), RELEASE, report(0, CAPS), RELEASE, report(0, 0x06)];
    assert.equal(decode('us', reports), 'A1b-c');
  });

  it('caps lock on FR leaves the digit row unshifted', () => {
    assert.equal(decode('fr', [report(0, CAPS), RELEASE, report(0, 0x1e), RELEASE, report(0, 0x14)]), '&A');
  });

  it('held keys do not repeat; released and pressed again they count again', () => {
    const a = 0x04;
    assert.equal(decode('us', [report(0, a), report(0, a), report(0, a), RELEASE, report(0, a), RELEASE]), 'aa');
  });

  it('rollover: keys appearing newly count in slot order, held ones do not', () => {
    const [a, b, c] = [0x04, 0x05, 0x06];
    assert.equal(decode('us', [report(0, a), report(0, a, b), report(0, b, a, c), report(0, c), RELEASE]), 'abc');
  });

  it('ErrorRollOver reports are ignored and keep the previous key state', () => {
    const phantom = report(0, 1, 1, 1, 1, 1, 1);
    assert.equal(decode('us', [report(0, 0x04), phantom, report(0, 0x04, 0x05), RELEASE]), 'ab');
  });

  it('Enter and keypad Enter end a line; Ctrl chords and unknown keys type nothing', () => {
    assert.equal(decode('us', [report(0, 0x04), RELEASE, report(0, 0x58), RELEASE, report(0x01, 0x05), RELEASE, report(0, 0xe8), report(0, ENTER)]), 'a\n\n');
  });

  it('a report id byte before the report is skipped with offset 1; short reports are ignored', () => {
    const d = new BootKeyboardDecoder('us');
    assert.equal(d.feed(Uint8Array.from([0x01, SHIFT, 0, 0x04, 0, 0, 0, 0, 0]), 1), 'A');
    assert.equal(d.feed(Uint8Array.from([0, 0, 0x05])), '');
  });

  it('an unknown layout is refused by name', () => {
    assert.throws(() => new BootKeyboardDecoder('xx' as KeyboardLayout), /unknown keyboard layout 'xx'/);
  });
});
