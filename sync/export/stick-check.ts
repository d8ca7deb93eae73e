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
import { EXPORT_FOLDER, EXPORT_MARKER_FILE } from '../../protocol/batch.js';
import { EXPORT_ERRORS, fromFsError, type ExportErrorCode } from './errors.js';

export type StickVerdict = { ok: true; folder: string; createFolder: boolean } | { ok: false; code: ExportErrorCode; message: string };

function refuse(code: ExportErrorCode, detail: string): StickVerdict {
  return { ok: false, code, message: `${EXPORT_ERRORS[code]}: ${detail}` };
}

export async function checkStick(volume: Pick<Volume, 'mountPoint' | 'readOnly'>, opts: { anyStick: boolean }): Promise<StickVerdict> {
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
  const folder = entries.find((e) => e.isDirectory() && e.name.toLowerCase() === EXPORT_FOLDER);
  const marker = entries.some((e) => e.isFile() && e.name.toLowerCase() === EXPORT_MARKER_FILE);
  if (!folder && !marker && !opts.anyStick) return refuse('NO_MARKER', `${root} holds no ${EXPORT_FOLDER} folder`);
  const writable = folder ? path.join(root, folder.name) : root;
  try {
    await access(writable, constants.W_OK);
  } catch (err) {
    const e = fromFsError(err, `write to ${writable}`);
    return refuse(e.code, e.message);
  }
  return { ok: true, folder: folder?.name ?? EXPORT_FOLDER, createFolder: folder === undefined };
}
