import type { KeyboardLayout } from '../config.js';

/**
 * Our own tables from HID keyboard usage codes (Usage Page 0x07, "Keyboard/
 * Keypad", HID Usage Tables §10) to characters, for the keyboard country a
 * keyboard-emulation scanner is set to. The scanner presses the key that, on a
 * keyboard of that country, gives the character; we map the key back. Only
 * what scanners type matters: letters, digits, Base64/URL-safe text and common
 * punctuation. Dead keys (DE ´ ` ^, FR ^ ¨) are left out: a lone press types
 * nothing. Values follow the Linux xkb layouts us, gb, de and fr.
 *
 * Traps: DE is QWERTZ (y and z swapped, '-' sits where US has '/'); FR is
 * AZERTY (a/q and z/w swapped, m on the US ';' key, and the digits need Shift:
 * unshifted the top row types & é " ' ( - è _ ç à).
 */
export interface KeyEntry {
  plain: string;
  shift: string;
  altgr?: string;
  /** caps lock swaps the case of letters only */
  letter: boolean;
}

/** Index = usage code (0..255). */
export type KeyMap = readonly (KeyEntry | undefined)[];

export const USAGE = {
  errorRollOver: 0x01,
  a: 0x04,
  one: 0x1e,
  enter: 0x28,
  space: 0x2c,
  capsLock: 0x39,
  keypadEnter: 0x58,
} as const;

interface LayoutSpec {
  /** what the keys at usages 0x04 (US 'a') .. 0x1D (US 'z') type, unshifted */
  letters: string;
  /** the top row, usages 0x1E (US '1') .. 0x27 (US '0'): [plain, shifted] */
  digits: [string, string];
  /** other keys: usage -> two characters, plain then shifted */
  keys: Record<number, string>;
  altgr: Record<number, string>;
}

/** Keys every layout shares: space, tab and the keypad (NumLock on). */
const COMMON: Record<number, string> = {
  0x2b: '\t\t', 0x2c: '  ',
  0x54: '//', 0x55: '**', 0x56: '--', 0x57: '++', 0x63: '..',
  0x59: '11', 0x5a: '22', 0x5b: '33', 0x5c: '44', 0x5d: '55', 0x5e: '66', 0x5f: '77', 0x60: '88', 0x61: '99', 0x62: '00',
};

const SPECS: Record<KeyboardLayout, LayoutSpec> = {
  us: {
    letters: 'abcdefghijklmnopqrstuvwxyz',
    digits: ['1234567890', '!@#$%^&*()'],
    keys: { 0x2d: '-_', 0x2e: '=+', 0x2f: '[{', 0x30: ']}', 0x31: '\\|', 0x32: '\\|', 0x33: ';:', 0x34: `'"`, 0x35: '`~', 0x36: ',<', 0x37: '.>', 0x38: '/?', 0x64: '\\|' },
    altgr: {},
  },
  uk: {
    letters: 'abcdefghijklmnopqrstuvwxyz',
    digits: ['1234567890', '!"£$%^&*()'],
    keys: { 0x2d: '-_', 0x2e: '=+', 0x2f: '[{', 0x30: ']}', 0x31: '#~', 0x32: '#~', 0x33: ';:', 0x34: `'@`, 0x35: '`¬', 0x36: ',<', 0x37: '.>', 0x38: '/?', 0x64: '\\|' },
    altgr: { 0x21: '€', 0x35: '¦' },
  },
  de: {
    letters: 'abcdefghijklmnopqrstuvwxzy',
    digits: ['1234567890', '!"§$%&/()='],
    keys: { 0x2d: 'ß?', 0x2f: 'üÜ', 0x30: '+*', 0x31: "#'", 0x32: "#'", 0x33: 'öÖ', 0x34: 'äÄ', 0x36: ',;', 0x37: '.:', 0x38: '-_', 0x64: '<>' },
    altgr: { 0x14: '@', 0x08: '€', 0x10: 'µ', 0x1f: '²', 0x20: '³', 0x24: '{', 0x25: '[', 0x26: ']', 0x27: '}', 0x2d: '\\', 0x30: '~', 0x64: '|' },
  },
  fr: {
    letters: 'qbcdefghijkl,nopartsuvzxyw',
    digits: ['&é"\'(-è_çà', '1234567890'],
    keys: { 0x10: ',?', 0x2d: ')°', 0x2e: '=+', 0x30: '$£', 0x31: '*µ', 0x32: '*µ', 0x33: 'mM', 0x34: 'ù%', 0x36: ';.', 0x37: ':/', 0x38: '!§', 0x64: '<>' },
    altgr: { 0x08: '€', 0x1f: '~', 0x20: '#', 0x21: '{', 0x22: '[', 0x23: '|', 0x24: '`', 0x25: '\\', 0x26: '^', 0x27: '@', 0x2d: ']', 0x2e: '}' },
  },
};

function entry(plain: string, shift: string): KeyEntry {
  const letter = plain !== shift && plain.toUpperCase() === shift && plain.toLowerCase() === plain;
  return { plain, shift, letter };
}

function build(spec: LayoutSpec): KeyMap {
  const map: (KeyEntry | undefined)[] = new Array(256).fill(undefined);
  [...spec.letters].forEach((c, i) => (map[USAGE.a + i] = entry(c, c.toUpperCase())));
  for (let i = 0; i < 10; i++) map[USAGE.one + i] = entry(spec.digits[0][i] ?? '', spec.digits[1][i] ?? '');
  for (const [usage, pair] of Object.entries({ ...COMMON, ...spec.keys })) {
    map[Number(usage)] = entry(pair[0] ?? '', pair[1] ?? '');
  }
  for (const [usage, c] of Object.entries(spec.altgr)) {
    const e = map[Number(usage)];
    map[Number(usage)] = { ...(e ?? entry('', '')), altgr: c };
  }
  return map;
}

export const LAYOUTS = Object.keys(SPECS) as KeyboardLayout[];

/** Built once from the specs above; constant data, frozen. */
const MAPS = new Map<string, KeyMap>(LAYOUTS.map((l) => [l, Object.freeze(build(SPECS[l]))]));

/** The usage-code table of a keyboard country. */
export function keyMap(layout: KeyboardLayout): KeyMap {
  const map = MAPS.get(layout);
  if (!map) throw new Error(`unknown keyboard layout '${String(layout)}' (known: ${LAYOUTS.join(', ')})`);
  return map;
}
