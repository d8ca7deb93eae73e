/**
 * The `usb` section of config.json (USB export, issue 10), read in the style
 * of device/config.ts: defaults, every problem collected.
 */
import path from 'node:path';
import { checks, type Check, type ConfigReader, type Obj } from './config-reader.js';

export interface UsbConfig {
  /** watch for sticks (false: exports only by hand, `kiosk export`) */
  enabled: boolean;
  /** mounts at or below these absolute directories are candidate sticks */
  roots: string[];
  /** write to any stick, not only one with the export folder or marker file at its root */
  anyStick: boolean;
  /** the export folder at a stick's root; a file `<folder>.txt` marks a stick too. Legal on FAT */
  folder: string;
  /** how often the mount table is read */
  pollMs: number;
  /** unmount the stick after a finished export (systemd-umount; the device set-up allows it) */
  unmount: boolean;
  /** records per batch at most */
  maxBatchRecords: number;
  /** how long the outcome ("safe to remove", "interrupted", …) stays on screen if the stick is not pulled */
  messageMs: number;
}

export const USB_KEYS = ['enabled', 'roots', 'anyStick', 'folder', 'pollMs', 'unmount', 'maxBatchRecords', 'messageMs'] as const;
export const DEFAULT_USB_ROOTS = ['/media', '/run/media', '/mnt'];

const roots: Check = (v) =>
  Array.isArray(v) && v.length > 0 && v.every((r) => typeof r === 'string' && path.isAbsolute(r))
    ? undefined
    : 'must be a non-empty array of absolute directories, e.g. ["/media"]';

/** FAT and exFAT forbid "*:<>?\|/ and control characters, and a trailing dot or space. */
const fatName: Check = (v) =>
  typeof v === 'string' && /^[A-Za-z0-9._ -]{1,64}$/.test(v) && !/[. ]$/.test(v) && v !== '.' && v !== '..'
    ? undefined
    : 'must be 1-64 of A-Z a-z 0-9 . _ - and space, not ending in a dot or space';

export function readUsb(r: ConfigReader, root: Obj): UsbConfig {
  const u = r.section(root, 'usb', '', USB_KEYS);
  return {
    enabled: r.field(u, 'enabled', 'usb', true, checks.bool),
    roots: r.field(u, 'roots', 'usb', DEFAULT_USB_ROOTS, roots),
    anyStick: r.field(u, 'anyStick', 'usb', false, checks.bool),
    folder: r.field(u, 'folder', 'usb', 'coupon-export', fatName),
    pollMs: r.field(u, 'pollMs', 'usb', 1000, checks.int(100, 60_000)),
    unmount: r.field(u, 'unmount', 'usb', true, checks.bool),
    maxBatchRecords: r.field(u, 'maxBatchRecords', 'usb', 100_000, checks.int(1, 1_000_000)),
    messageMs: r.field(u, 'messageMs', 'usb', 60_000, checks.int(1000, 3_600_000)),
  };
}
