import { ScannerError } from './port.js';

/**
 * The slice of node-hid (3.x) the HID scanner uses, so tests can inject a fake
 * module and the real one is loaded only when a HID scanner is configured.
 */
export interface HidDeviceInfo {
  vendorId: number;
  productId: number;
  path?: string;
  usagePage?: number;
  usage?: number;
  interface?: number;
  product?: string;
}

export interface HidDeviceLike {
  on(event: 'data', fn: (data: Buffer) => void): unknown;
  on(event: 'error', fn: (err: Error) => void): unknown;
  removeAllListeners(event?: string): unknown;
  close(): unknown;
}

export interface HidModuleLike {
  devicesAsync?(): Promise<HidDeviceInfo[]>;
  devices(): HidDeviceInfo[];
  HIDAsync?: { open(path: string): Promise<HidDeviceLike> };
  HID: new (path: string) => HidDeviceLike;
  setDriverType?(type: 'hidraw' | 'libusb'): void;
}

export const POS_USAGE_PAGE = 0x8c;
const GENERIC_DESKTOP = 0x01;
const KEYBOARD_USAGE = 0x06;

export const NODE_HID_FIX =
  'install the native libraries (Debian: apt install libudev1 libusb-1.0-0; to build: libudev-dev libusb-1.0-0-dev) and run: npm rebuild node-hid';

/** Load node-hid lazily; a missing module becomes SCANNER_MODULE_MISSING naming the fix. */
export async function loadNodeHid(importer: () => Promise<unknown> = () => import('node-hid')): Promise<HidModuleLike> {
  try {
    const mod = (await importer()) as HidModuleLike & { default?: HidModuleLike };
    return typeof mod.devices === 'function' ? mod : (mod.default ?? mod);
  } catch (err) {
    throw moduleMissing(err);
  }
}

export function moduleMissing(err: unknown): ScannerError {
  const msg = (err as Error).message ?? String(err);
  return new ScannerError('SCANNER_MODULE_MISSING', `node-hid is not usable (${msg}); ${NODE_HID_FIX}`, false, { cause: err });
}

/**
 * node-hid loads its native part on first use, so a missing libusb/libudev or
 * a binary built for another Node shows up at enumeration, not at import.
 */
export function looksLikeNativeLoadError(err: unknown): boolean {
  const msg = (err as Error)?.message ?? '';
  return /bindings file|\.node\b|NODE_MODULE_VERSION|shared object|libusb|libudev|Cannot find module|was compiled against/i.test(msg);
}

export type DeviceMatch = { vendorId: number; productId: number } | { path: string } | { posAny: true };

const VID_PID = /^([0-9a-f]{4}):([0-9a-f]{4})$/i;

/** "VID:PID" in hex, or a device path; no device: any HID POS scanner (never a keyboard). */
export function parseDeviceMatch(device: string | undefined): DeviceMatch {
  if (device === undefined) return { posAny: true };
  const ids = VID_PID.exec(device);
  if (ids) return { vendorId: parseInt(ids[1] ?? '', 16), productId: parseInt(ids[2] ?? '', 16) };
  if (device.trim() === '') throw new ScannerError('SCANNER_OPEN_FAILED', `hid device '' is empty: use "VID:PID" (e.g. "0c2e:0b61") or a path`);
  return { path: device };
}

const isPos = (d: HidDeviceInfo) => d.usagePage === POS_USAGE_PAGE;
const isKeyboard = (d: HidDeviceInfo) => d.usagePage === GENERIC_DESKTOP && d.usage === KEYBOARD_USAGE;

/**
 * Pick the interface to open. A scanner often shows several (keyboard, POS,
 * vendor); prefer the one the mode wants. Without usage pages (the libusb
 * backend does not report them) the first matching interface is taken.
 */
export function pickDevice(list: HidDeviceInfo[], match: DeviceMatch, mode: 'auto' | 'keyboard' | 'pos'): HidDeviceInfo | undefined {
  const candidates = list.filter((d) => {
    if ('posAny' in match) return isPos(d);
    if ('path' in match) return d.path === match.path;
    return d.vendorId === match.vendorId && d.productId === match.productId;
  });
  if ('path' in match) return candidates[0]; // named explicitly: take it as it is
  const order: ((d: HidDeviceInfo) => boolean)[] =
    mode === 'keyboard' ? [isKeyboard] : mode === 'pos' ? [isPos] : [isPos, isKeyboard];
  for (const want of order) {
    const hit = candidates.find(want);
    if (hit) return hit;
  }
  return candidates.find((d) => d.usagePage === undefined) ?? (mode === 'auto' ? candidates[0] : undefined);
}

export function describeMatch(match: DeviceMatch): string {
  if ('posAny' in match) return 'any HID POS scanner (usage page 0x8C)';
  if ('path' in match) return `path ${match.path}`;
  return `USB id ${hex4(match.vendorId)}:${hex4(match.productId)}`;
}

export const hex4 = (n: number) => n.toString(16).padStart(4, '0');
