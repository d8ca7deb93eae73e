/**
 * The `usb` section of config.json (USB export, issue 10): its schema and
 * defaults. device/config.ts composes it into the whole file; sync/export/
 * receives it validated and frozen.
 */
import { Type, type Static } from 'typebox';

export const DEFAULT_USB_ROOTS = ['/media', '/run/media', '/mnt'];

export const UsbSchema = Type.Object(
  {
    /** watch for sticks (false: exports only by hand, `kiosk export`) */
    enabled: Type.Boolean({ default: true }),
    /** mounts at or below these absolute directories are candidate sticks */
    roots: Type.Array(Type.String({ pattern: '^/', expected: 'an absolute directory, e.g. "/media"' }), { minItems: 1, default: DEFAULT_USB_ROOTS }),
    /** write to any stick, not only one with the export folder or marker file at its root */
    anyStick: Type.Boolean({ default: false }),
    /** the export folder at a stick's root; a file `<folder>.txt` marks a stick too. Legal on FAT and exFAT */
    folder: Type.String({
      pattern: '^(?!\\.\\.?$)[A-Za-z0-9._ -]{0,63}[A-Za-z0-9_-]$',
      expected: '1-64 of A-Z a-z 0-9 . _ - and space, not ending in a dot or space',
      default: 'coupon-export',
    }),
    /** how often the mount table is read */
    pollMs: Type.Integer({ minimum: 100, maximum: 60_000, default: 1000 }),
    /** unmount the stick after a finished export (systemd-umount; the device set-up allows it) */
    unmount: Type.Boolean({ default: true }),
    /** records per batch at most */
    maxBatchRecords: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 100_000 }),
    /** how long the outcome ("safe to remove", "interrupted", …) stays on screen when the stick is not pulled */
    messageMs: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 60_000 }),
  },
  { additionalProperties: false, default: {} },
);

export type UsbConfig = Static<typeof UsbSchema>;
