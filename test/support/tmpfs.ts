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
