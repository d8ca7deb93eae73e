/**
 * /proc/self/mountinfo (proc(5)), one mount per line:
 *
 *   36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   (1)(2)(3)   (4)   (5)         (6)       (7)     (8)(9)   (10)      (11)
 *
 * mount id, parent id, major:minor of st_dev, root within the file system,
 * mount point, per-mount options, zero or more optional fields ended by "-",
 * file system type, source, superblock options. Spaces, tabs, newlines and
 * backslashes in paths are written as octal escapes (\040 \011 \012 \134).
 * Pure: text in, entries out; a line that does not parse is skipped.
 */
import path from 'node:path';
import type { Volume, VolumeFamily } from './port.js';

export interface MountEntry {
  mountId: number;
  parentId: number;
  major: number;
  minor: number;
  root: string;
  mountPoint: string;
  options: string[];
  optional: string[];
  fsType: string;
  source: string;
  superOptions: string[];
}

/** Undo the kernel's octal escapes (fs/proc_namespace.c mangle()). */
export function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountLine(line: string): MountEntry | undefined {
  const f = line.split(' ');
  const dash = f.indexOf('-', 6);
  if (f.length < 10 || dash < 0 || f.length < dash + 4) return undefined;
  const dev = /^(\d+):(\d+)$/.exec(f[2] ?? '');
  const mountId = Number(f[0]);
  const parentId = Number(f[1]);
  if (!dev || !Number.isInteger(mountId) || !Number.isInteger(parentId)) return undefined;
  return {
    mountId,
    parentId,
    major: Number(dev[1]),
    minor: Number(dev[2]),
    root: unescapeMountField(f[3] ?? ''),
    mountPoint: unescapeMountField(f[4] ?? ''),
    options: (f[5] ?? '').split(','),
    optional: f.slice(6, dash),
    fsType: unescapeMountField(f[dash + 1] ?? ''),
    source: unescapeMountField(f[dash + 2] ?? ''),
    superOptions: f.slice(dash + 3).join(' ').split(','),
  };
}

export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const e = parseMountLine(line);
    if (e) out.push(e);
  }
  return out;
}

/**
 * glibc's makedev(): the st_dev a stat() of a file on this mount returns.
 * Written with arithmetic, not shifts: the high bits lie beyond 32.
 */
export function makedev(major: number, minor: number): number {
  return (major % 0x1000) * 0x100 + Math.floor(major / 0x1000) * 2 ** 44 + (minor % 0x100) + Math.floor(minor / 0x100) * 0x100000;
}

/**
 * The family of a mount table type. exfat-fuse mounts as `fuseblk` (or
 * `fuse.exfat` with older versions); so does ntfs-3g, which then is written
 * to like exFAT. `fuse.fusefat` is Debian's userspace FAT driver. `msdos`
 * (FAT without long names) is not here: batch names need long names.
 */
export function familyOf(fsType: string): VolumeFamily | undefined {
  if (fsType === 'vfat' || fsType === 'fuse.fusefat') return 'fat';
  if (fsType === 'exfat' || fsType === 'fuseblk' || fsType === 'fuse.exfat' || fsType === 'fuse.exfat-fuse') return 'exfat';
  if (fsType === 'ext2' || fsType === 'ext3' || fsType === 'ext4') return 'ext';
  return undefined;
}

function under(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

export interface VolumeFilter {
  /** absolute directories; a mount at or below one of them is a candidate */
  roots: readonly string[];
  /** paths whose own file system is never a stick (the kiosk home): a mount holding one is ignored */
  exclude?: readonly string[];
}

/**
 * The volumes in a mount table: known families under a root, not holding an
 * excluded path. Where several mounts share a mount point only the last
 * (the visible one) counts.
 */
export function volumesOf(entries: readonly MountEntry[], filter: VolumeFilter): Volume[] {
  const roots = filter.roots.map((r) => path.resolve(r));
  const exclude = (filter.exclude ?? []).map((x) => path.resolve(x));
  const byPoint = new Map<string, Volume>();
  for (const e of entries) {
    byPoint.delete(e.mountPoint); // over-mounted: the lower one is hidden
    const family = familyOf(e.fsType);
    if (family === undefined || !roots.some((r) => under(e.mountPoint, r))) continue;
    if (exclude.some((x) => under(x, e.mountPoint))) continue;
    byPoint.set(e.mountPoint, {
      id: String(e.mountId),
      mountPoint: e.mountPoint,
      source: e.source,
      family,
      fsType: e.fsType,
      readOnly: e.options.includes('ro') || e.superOptions.includes('ro'),
      dev: makedev(e.major, e.minor),
    });
  }
  return [...byPoint.values()];
}
