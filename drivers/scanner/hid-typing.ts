/**
 * Types text as a keyboard-emulation scanner set to that keyboard country
 * would: the inverse of our layout tables. The demo types coupons with it
 * into `kiosk start --hid-reports`, and the decoder tests use it; the
 * decoder tests also check hand-written reports, so the pair is not only
 * self-consistent.
 */
import type { KeyboardLayout } from '../config.js';
import { keyMap } from './hid-keymap.js';

export const SHIFT = 0x02;
export const ALTGR = 0x40;
export const ENTER = 0x28;

export type Stroke = { usage: number; mods: number };

const isKeypad = (usage: number) => usage >= 0x54 && usage <= 0x63;

/**
 * The inverse of a layout table: which main-block key (and modifiers) types
 * `c`, as a scanner set to that country does. The keypad is left
 * out, or FR digits would come from the keypad instead of Shift + top row.
 */
export function strokeFor(layout: KeyboardLayout, c: string): Stroke {
  const map = keyMap(layout);
  for (const [field, mods] of [['plain', 0], ['shift', SHIFT], ['altgr', ALTGR]] as const) {
    const usage = map.findIndex((e, u) => e !== undefined && !isKeypad(u) && e[field] === c);
    if (usage >= 0) return { usage, mods };
  }
  throw new Error(`layout ${layout} cannot type ${JSON.stringify(c)}`);
}

export const report = (mods: number, ...keys: number[]) => Uint8Array.from([mods, 0, ...keys, 0, 0, 0, 0, 0, 0].slice(0, 8));
export const RELEASE = report(0);

/** How a typical scanner types: press, release for each character, Enter at the end. */
export function encode(layout: KeyboardLayout, text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const c of text) {
    const s = strokeFor(layout, c);
    out.push(report(s.mods, s.usage), RELEASE);
  }
  out.push(report(0, ENTER), RELEASE);
  return out;
}
