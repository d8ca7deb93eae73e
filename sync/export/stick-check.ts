/**
 * Whether a stick is one to write to: the manager marks a stick for export by
 * a `coupon-export` folder (or a `coupon-export.txt` file) at its root; any
 * other stick is left alone unless usb.anyStick. A read-only stick or one
 * the kiosk user may not write to is left alone too, with the reason.
 */
import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Volume } from '../../drivers/volume/port.js';
import { EXPORT_ERRORS, fromFsError, type ExportErrorCode } from './errors.js';

export type StickVerdict = { ok: true; folder: string; createFolder: boolean } | { ok: false; code: ExportErrorCode; message: string };

function refuse(code: ExportErrorCode, detail: string): StickVerdict {
  return { ok: false, code, message: `${EXPORT_ERRORS[code]}: ${detail}` };
}

/** `folder`: the export folder's name (usb.folder, default coupon-export); `<folder>.txt` is the marker file. */
export async function checkStick(volume: Pick<Volume, 'mountPoint' | 'readOnly'>, opts: { anyStick: boolean; folder: string }): Promise<StickVerdict> {
  const root = volume.mountPoint;
  if (volume.readOnly) return refuse('USB_READ_ONLY', `${root} is mounted read-only`);
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (err) {
    const e = fromFsError(err, `list ${root}`);
    return refuse(e.code, e.message);
  }
  // FAT and exFAT ignore case; a folder made on Windows may be COUPON-EXPORT
  const want = opts.folder.toLowerCase();
  const folder = entries.find((e) => e.isDirectory() && e.name.toLowerCase() === want);
  const marker = entries.some((e) => e.isFile() && e.name.toLowerCase() === `${want}.txt`);
  if (!folder && !marker && !opts.anyStick) return refuse('NO_MARKER', `${root} holds no ${opts.folder} folder`);
  const writable = folder ? path.join(root, folder.name) : root;
  try {
    await access(writable, constants.W_OK);
  } catch (err) {
    const e = fromFsError(err, `write to ${writable}`);
    return refuse(e.code, e.message);
  }
  return { ok: true, folder: folder?.name ?? opts.folder, createFolder: folder === undefined };
}
