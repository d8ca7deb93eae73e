/**
 * Real file systems for the USB tests: an image file, a loop device, and a
 * mount under a directory the test watches. ext4 through the kernel; FAT
 * through the kernel's vfat where it has one, else Debian's `fusefat`; exFAT
 * through `exfat-fuse` (Debian packages installed by .ci/run).
 *
 * Needs root. Where it is missing, `requireMounts` fails the test in CI (`CI`
 * set: it must run there) and marks it pending with the reason elsewhere.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

export type StickKind = 'ext4' | 'vfat' | 'exfat';

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function kernelHas(fs: string): boolean {
  try {
    return readFileSync('/proc/filesystems', 'utf8').split('\n').some((l) => l.trim().split(/\s+/).pop() === fs);
  } catch {
    return false;
  }
}

/** Undefined when real mounts of this kind can be made here, else why not. */
export function mountProblem(kind: StickKind): string | undefined {
  if (process.getuid?.() !== 0) return 'real mounts need root';
  if (!has('losetup') || !existsSync('/dev/loop-control')) return 'no loop devices (losetup, /dev/loop-control)';
  const tools: Record<StickKind, string[]> = {
    ext4: ['mkfs.ext4'],
    vfat: ['mkfs.vfat', ...(kernelHas('vfat') ? [] : ['fusefat'])],
    exfat: ['mkfs.exfat', 'mount.exfat-fuse'],
  };
  const missing = tools[kind].filter((t) => !has(t));
  if (missing.length > 0) return `missing ${missing.join(', ')} (apt-get install dosfstools fusefat exfatprogs exfat-fuse)`;
  if (kind !== 'ext4' && !existsSync('/dev/fuse') && !(kind === 'vfat' && kernelHas('vfat'))) return 'no /dev/fuse';
  return undefined;
}

/** In a mocha test or hook: go on, or skip with the reason (fail in CI). */
export function requireMounts(ctx: Mocha.Context, ...kinds: StickKind[]): void {
  const problem = kinds.map(mountProblem).find((p) => p !== undefined);
  if (problem === undefined) return;
  if (process.env['CI']) throw new Error(`USB tests must run in CI: ${problem}`);
  ctx.skip();
}

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export class TestStick {
  private loop: string | undefined;
  mounted = false;

  constructor(
    readonly kind: StickKind,
    readonly image: string,
    readonly mountPoint: string,
  ) {}

  /** A new image of `sizeMiB` with a fresh file system. */
  static create(kind: StickKind, dir: string, name: string, mountPoint: string, sizeMiB = 16): TestStick {
    const image = path.join(dir, `${name}.img`);
    run('truncate', ['-s', `${sizeMiB}M`, image]);
    if (kind === 'ext4') run('mkfs.ext4', ['-q', '-F', '-m', '0', image]);
    else if (kind === 'vfat') run('mkfs.vfat', [image]);
    else run('mkfs.exfat', ['-b', '4K', image]); // the default alignment does not fit images of a few MiB
    return new TestStick(kind, image, mountPoint);
  }

  /** the loop device while attached (/dev/loopN) */
  get device(): string | undefined {
    return this.loop;
  }

  mount(opts: { readOnly?: boolean } = {}): this {
    mkdirSync(this.mountPoint, { recursive: true });
    this.loop = run('losetup', ['-f', '--show', ...(opts.readOnly ? ['-r'] : []), this.image]);
    const ro = opts.readOnly === true;
    if (this.kind === 'ext4') run('mount', ['-t', 'ext4', '-o', ro ? 'ro' : 'rw', this.loop, this.mountPoint]);
    else if (this.kind === 'exfat') run('mount.exfat-fuse', ['-o', ro ? 'ro' : 'rw', this.loop, this.mountPoint]);
    else if (kernelHas('vfat')) run('mount', ['-t', 'vfat', '-o', ro ? 'ro' : 'rw', this.loop, this.mountPoint]);
    else run('fusefat', ['-o', ro ? 'ro' : 'rw+', this.loop, this.mountPoint]);
    this.mounted = true;
    return this;
  }

  /** A clean unmount, then the loop device freed. */
  umount(): void {
    if (this.mounted) run('umount', [this.mountPoint]);
    this.mounted = false;
    this.detach();
  }

  /** `umount -l`: detached at once; open files keep working until closed, new lookups miss it. */
  lazyUmount(): void {
    if (this.mounted) run('umount', ['-l', this.mountPoint]);
    this.mounted = false;
  }

  /** After a lazy unmount the loop device is freed once the last file is closed: wait for that. */
  detach(): void {
    if (this.loop === undefined) return;
    const loop = this.loop;
    this.loop = undefined;
    spawnSync('udevadm', ['settle'], { stdio: 'ignore' });
    for (let i = 0; i < 50 && spawnSync('losetup', ['-d', loop], { stdio: 'ignore' }).status !== 0; i++) {
      spawnSync('sleep', ['0.1']);
    }
  }

  cleanup(): void {
    try {
      if (this.mounted) spawnSync('umount', ['-l', this.mountPoint], { stdio: 'ignore' });
      this.mounted = false;
      this.detach();
    } finally {
      rmSync(this.image, { force: true });
    }
  }
}
