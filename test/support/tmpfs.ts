/**
 * A real, small, full-able file system for tests: a tmpfs mounted as root.
 * In CI (`CI` set) the tests that need it run as root and never skip; on a
 * developer's machine without root they are skipped with the reason.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export { needsRoot } from './root.js';

export interface Tmpfs {
  dir: string;
  unmount(): void;
}

export function mountTmpfs(sizeKiB: number): Tmpfs {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-tmpfs-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k,mode=0700`, 'tmpfs', dir]);
  return {
    dir,
    unmount: () => {
      execFileSync('umount', ['--lazy', dir]); // lazy: a test that failed may still hold a file open
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A USB stick as the kiosk meets it: an exFAT image on a loop device, mounted with FUSE (no hard links, no modes). */
export function mountExfat(sizeMiB = 16): Tmpfs {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kiosk-exfat-'));
  const image = path.join(dir, 'stick.img');
  const mnt = path.join(dir, 'mnt');
  execFileSync('truncate', ['-s', `${sizeMiB}M`, image]);
  execFileSync('mkfs.exfat', [image], { stdio: 'ignore' });
  const loop = execFileSync('losetup', ['-f', '--show', image]).toString().trim();
  execFileSync('mkdir', [mnt]);
  execFileSync('mount.exfat-fuse', [loop, mnt], { stdio: 'ignore' });
  return {
    dir: mnt,
    unmount: () => {
      execFileSync('fusermount', ['-u', '-z', mnt]);
      execFileSync('losetup', ['-d', loop]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
