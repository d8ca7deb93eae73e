/**
 * Write a file so that a power cut leaves either the old or the new content,
 * never a torn file: write a temp file beside it, fsync, rename over, fsync
 * the directory (the rename itself must reach the disk).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  chmodSync(tmp, mode); // the umask may have narrowed or the caller wants exactly this
  renameSync(tmp, file);
  fsyncDir(dir);
}

/**
 * Put a finished temp file in place under a name that must not exist yet:
 * a hard link fails rather than replace a file that appeared meanwhile. File
 * systems without hard links (FAT on a USB stick) get a rename after a check,
 * which leaves only a tiny window. The temp name is gone afterwards.
 */
export function placeNew(tmp: string, target: string): void {
  try {
    linkSync(tmp, target);
    rmSync(tmp, { force: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    if (existsSync(target)) throw Object.assign(new Error(`EEXIST: ${target} exists`), { code: 'EEXIST' });
    renameSync(tmp, target);
  }
  fsyncDir(path.dirname(target));
}

/** Create dir (and parents) and force its mode, even if it existed with a looser one. */
export function ensureDir(dir: string, mode: number): void {
  mkdirSync(dir, { recursive: true, mode });
  chmodSync(dir, mode);
}

export function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
