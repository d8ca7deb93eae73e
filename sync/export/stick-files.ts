/**
 * File operations on a stick, each checked to land on the stick itself.
 *
 * After a yank or a lazy unmount the mount point shows the directory under
 * it (on the kiosk's own SD card): a path that still resolves is then no
 * proof of anything. Every directory and file the exporter opens is checked
 * against the stick's st_dev, and every failure is an ExportError.
 */
import { constants } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, statfs, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { ExportError, fromFsError } from './errors.js';

export interface StickTarget {
  /** the stick's root directory (its mount point), or any directory for `kiosk export --to` */
  root: string;
  /** st_dev of the stick, when known: every file opened must be on it */
  dev?: number;
  /** is the same mount still there? (reads the mount table) */
  stillThere(): boolean;
}

function checkDev(target: StickTarget, dev: number, what: string): void {
  if (target.dev !== undefined && dev !== target.dev) {
    throw new ExportError('USB_REMOVED', `${what} is not on the stick any more (device ${dev}, the stick was ${target.dev})`);
  }
}

export async function onStick<T>(target: StickTarget, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = fromFsError(err, what);
    // asked even when the error already says "removed": the question refreshes the watcher's view
    if (!target.stillThere() && e.code !== 'USB_REMOVED') throw new ExportError('USB_REMOVED', `${what}: the stick is gone (${e.message})`, { cause: err });
    throw e;
  }
}

/** root/parts…, each level created unless `create` is false for the first one; returns the full path. */
export async function stickDir(target: StickTarget, parts: readonly string[], createFirst: boolean): Promise<string> {
  let dir = target.root;
  for (const [i, part] of parts.entries()) {
    dir = path.join(dir, part);
    const here = dir;
    await onStick(target, `folder ${here}`, async () => {
      if (i > 0 || createFirst) await mkdir(here).catch((err: NodeJS.ErrnoException) => (err.code === 'EEXIST' ? undefined : Promise.reject(err)));
      const st = await stat(here);
      if (!st.isDirectory()) throw new ExportError('USB_IO_ERROR', `${here} is a file, not a folder`);
      checkDev(target, st.dev, here);
    });
  }
  return dir;
}

/**
 * A new file for writing (truncating a leftover of the same name). Never
 * through a symlink: on an ext4 stick one could point anywhere the kiosk may
 * write, and O_TRUNC would empty that file before the device check below.
 */
export async function createOnStick(target: StickTarget, file: string): Promise<FileHandle> {
  return onStick(target, `create ${file}`, async () => {
    const fh = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
    try {
      checkDev(target, (await fh.stat()).dev, file);
    } catch (err) {
      await fh.close();
      throw err;
    }
    return fh;
  });
}

export async function writeAll(target: StickTarget, fh: FileHandle, file: string, data: Uint8Array): Promise<void> {
  await onStick(target, `write ${file}`, async () => {
    let off = 0;
    try {
      while (off < data.length) off += (await fh.write(data, off, data.length - off)).bytesWritten;
    } catch (err) {
      throw await fullOr(file, data.length - off, err);
    }
  });
}

/**
 * Some drivers say EPERM or EIO, not ENOSPC, when the stick is full (Debian's
 * userspace FAT driver does): a failed write with no room left is USB_FULL.
 */
async function fullOr(file: string, wanted: number, err: unknown): Promise<unknown> {
  if ((err as NodeJS.ErrnoException).code === 'ENOSPC') return err;
  try {
    const fs = await statfs(path.dirname(file));
    if (fs.bavail * fs.bsize < wanted) return new ExportError('USB_FULL', `write ${file}: ${(err as Error).message}; ${fs.bavail * fs.bsize} bytes free`, { cause: err });
  } catch {
    // the stick may be gone: the caller decides with the original error
  }
  return err;
}

export async function syncAndClose(target: StickTarget, fh: FileHandle, file: string): Promise<void> {
  try {
    await onStick(target, `fsync ${file}`, () => fh.sync());
  } finally {
    await fh.close().catch(() => undefined);
  }
}

export async function renameOnStick(target: StickTarget, from: string, to: string): Promise<void> {
  await onStick(target, `rename ${from}`, () => rename(from, to));
}

/** The rename must reach the stick too: fsync the directory (FAT and exFAT drivers honour it; FUSE ones may ignore it). */
export async function syncDir(target: StickTarget, dir: string): Promise<void> {
  await onStick(target, `fsync folder ${dir}`, async () => {
    const fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      checkDev(target, (await fh.stat()).dev, dir);
      await fh.sync().catch((err: NodeJS.ErrnoException) => (err.code === 'EINVAL' || err.code === 'ENOSYS' ? undefined : Promise.reject(err)));
    } finally {
      await fh.close();
    }
  });
}

const READ_CHUNK = 1 << 20;

/**
 * Reads a file back from the stick and returns its CRC-32 and size; `pause`
 * runs between chunks (it yields to the event loop, and fault injection hooks in).
 * CRC-32, not SHA-256: the read-back asks whether the stick kept what was
 * written (a pulled stick, a lying driver, a bad cell), and CRC-32 sees every
 * error burst up to 32 bits and all but 2^-32 of the rest, at a third of
 * SHA-256's cost. Forgery is the platform's to refuse: it checks the
 * manifest's signature and the SHA-256 of the data.
 */
export async function readBack(target: StickTarget, file: string, pause: () => Promise<void>): Promise<{ crc32: number; bytes: number }> {
  return onStick(target, `read back ${file}`, async () => {
    const fh = await open(file, 'r');
    try {
      checkDev(target, (await fh.stat()).dev, file);
      const buf = Buffer.allocUnsafe(READ_CHUNK);
      let crc = 0;
      let bytes = 0;
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, null);
        if (bytesRead === 0) break;
        crc = crc32(buf.subarray(0, bytesRead), crc);
        bytes += bytesRead;
        await pause();
      }
      return { crc32: crc, bytes };
    } finally {
      await fh.close();
    }
  });
}

/** The bytes of a small file on the stick, or undefined when there is none. */
export async function readIfThere(target: StickTarget, file: string): Promise<Uint8Array | undefined> {
  return onStick(target, `read ${file}`, () =>
    readFile(file).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err))),
  );
}

export async function listNames(target: StickTarget, dir: string): Promise<string[]> {
  return onStick(target, `list ${dir}`, () => readdir(dir));
}

/** Leftovers of an export that was cut short: removed, best effort (they are never imported). */
export async function removeQuietly(file: string): Promise<void> {
  await rm(file, { force: true }).catch(() => undefined);
}
