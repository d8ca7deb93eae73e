/**
 * Checks for files that hold or steer key material in the kiosk home: a real
 * file or directory (not a symlink someone could point elsewhere), owned by
 * the user the kiosk runs as, and not open to group or others. Each failure
 * names the path and the command that fixes it.
 */
import { lstatSync, type Stats } from 'node:fs';
import { HomeError } from '../device/home-error.js';

export interface SecureCheck {
  /** a directory rather than a file */
  dir?: boolean;
  /** mode bits that must be clear: 0o077 for secrets (and their directory), 0o022 for files that steer them */
  forbidden: number;
}

export function checkSecure(file: string, check: SecureCheck): Stats {
  const st = lstatSync(file);
  if (st.isSymbolicLink()) throw new HomeError('KEY_PERMISSIONS', `${file} is a symbolic link; key material must be a real ${check.dir ? 'directory' : 'file'} in the kiosk home`);
  if (check.dir ? !st.isDirectory() : !st.isFile()) throw new HomeError('KEY_PERMISSIONS', `${file} is not a ${check.dir ? 'directory' : 'regular file'}`);
  const uid = process.geteuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new HomeError('KEY_PERMISSIONS', `${file} is owned by uid ${st.uid}, not by the kiosk user (uid ${uid}). Run: chown ${uid} ${file}`);
  }
  const mode = st.mode & 0o777;
  if ((mode & check.forbidden) !== 0) {
    const fixed = (mode & ~check.forbidden).toString(8);
    throw new HomeError('KEY_PERMISSIONS', `${file} has mode ${mode.toString(8)}; group and others must not ${check.forbidden === 0o077 ? 'read' : 'write'} it. Run: chmod ${fixed} ${file}`);
  }
  return st;
}
