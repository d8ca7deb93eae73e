import type { KeyboardLayout } from '../config.js';
import { keyMap, USAGE, type KeyMap } from './hid-keymap.js';

/** Modifier byte bits of a boot keyboard report (HID 1.11, Appendix B.1). */
const MOD = { lctrl: 0x01, lshift: 0x02, lalt: 0x04, lgui: 0x08, rctrl: 0x10, rshift: 0x20, ralt: 0x40, rgui: 0x80 } as const;
const SHIFT = MOD.lshift | MOD.rshift;
const CTRL = MOD.lctrl | MOD.rctrl;

/**
 * Turns 8-byte boot keyboard reports [modifiers, reserved, key1..key6] into
 * text, as the kernel keyboard driver would for the given keyboard country.
 * Enter (0x28) and keypad Enter (0x58) come out as '\n', so the result can go
 * straight into a LineFramer with terminator 'LF'.
 *
 * - A key counts when it appears in a report and was not in the previous one:
 *   held keys do not repeat, a key released and pressed again counts again
 *   (a scanner typing "aa" sends press, release, press).
 * - Shift is either shift key; AltGr is right Alt, or Ctrl+left Alt (what
 *   Windows treats as AltGr, and some scanners send). Other Ctrl/Alt/GUI
 *   chords type nothing.
 * - Caps Lock toggles and swaps the case of letters only.
 * - ErrorRollOver (0x01 in the key slots: too many keys down) is ignored and
 *   the previous key state is kept.
 */
export class BootKeyboardDecoder {
  private readonly map: KeyMap;
  private readonly prev = new Uint8Array(6);
  private capsLock = false;

  constructor(layout: KeyboardLayout) {
    this.map = keyMap(layout);
  }

  /** Decode one report (starting at `offset`, e.g. 1 when a report id comes first). */
  feed(report: Uint8Array, offset = 0): string {
    if (report.length < offset + 8) return '';
    if (report[offset + 2] === USAGE.errorRollOver) return '';
    const mods = report[offset] ?? 0;
    let out = '';
    for (let i = offset + 2; i < offset + 8; i++) {
      const key = report[i] ?? 0;
      if (key !== 0 && !this.wasDown(key)) out += this.press(key, mods);
    }
    for (let i = 0; i < 6; i++) this.prev[i] = report[offset + 2 + i] ?? 0;
    return out;
  }

  /** Forget held keys and caps lock (a replugged scanner starts fresh). */
  reset(): void {
    this.prev.fill(0);
    this.capsLock = false;
  }

  private wasDown(key: number): boolean {
    for (let i = 0; i < 6; i++) if (this.prev[i] === key) return true;
    return false;
  }

  private press(key: number, mods: number): string {
    if (key === USAGE.capsLock) {
      this.capsLock = !this.capsLock;
      return '';
    }
    if (key === USAGE.enter || key === USAGE.keypadEnter) return '\n';
    const e = this.map[key];
    if (!e) return '';
    const ctrl = (mods & CTRL) !== 0;
    const altgr = (mods & MOD.ralt) !== 0 || (ctrl && (mods & MOD.lalt) !== 0);
    if (altgr) return e.altgr ?? '';
    if (ctrl || (mods & (MOD.lalt | MOD.lgui | MOD.rgui)) !== 0) return '';
    const shifted = (mods & SHIFT) !== 0;
    return shifted !== (this.capsLock && e.letter) ? e.shift : e.plain;
  }
}
