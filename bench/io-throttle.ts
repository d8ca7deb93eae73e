/**
 * Write bandwidth of one block device held to a USB stick's, for this
 * process and its children: the kernel's block-IO controller (cgroup v1
 * `blkio.throttle.write_bps_device`, or v2 `io.max`) on a cgroup of its own
 * that this process joins for the measurement and leaves after it.
 *
 * Only writes this process submits are held back: the fsyncs and datasyncs
 * of an export and the `sync` of its floor submit their own write-back (no
 * flusher thread writes back within a second here), so both pay the same
 * toll. Needs root; `throttleProblem` says why not where it cannot be done.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const V1 = '/sys/fs/cgroup/blkio';
const V2_ROOTS = ['/sys/fs/cgroup/unified', '/sys/fs/cgroup'];

interface Controller {
  group: string;
  limit(devNumbers: string, bytesPerSecond: number): void;
  /** the group this process came from */
  home: string;
}

/** The controller to use, or why there is none; changes nothing (v2's io is enabled for child groups only when a limit is set). */
function controller(name: string): Controller | string {
  if (process.getuid?.() !== 0) return 'throttling a device needs root';
  if (existsSync(path.join(V1, 'blkio.throttle.write_bps_device'))) {
    const home = path.join(V1, ownGroup('blkio') ?? '/');
    return { group: path.join(V1, name), home, limit: (dev, bps) => writeFileSync(path.join(V1, name, 'blkio.throttle.write_bps_device'), `${dev} ${bps}\n`) };
  }
  for (const root of V2_ROOTS) {
    const ctl = path.join(root, 'cgroup.controllers');
    if (!existsSync(ctl) || !readFileSync(ctl, 'utf8').split(/\s+/).includes('io')) continue;
    const home = path.join(root, ownGroup('') ?? '/');
    const limit = (dev: string, bps: number): void => {
      writeFileSync(path.join(root, 'cgroup.subtree_control'), '+io'); // io.max exists in the child once io is enabled below the root
      writeFileSync(path.join(root, name, 'io.max'), `${dev} wbps=${bps}\n`);
    };
    return { group: path.join(root, name), home, limit };
  }
  return 'no block-IO controller (cgroup v1 blkio or v2 io) here';
}

/** This process's group in the hierarchy of `controller` ('' for v2). */
function ownGroup(controllerName: string): string | undefined {
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, names, group] = line.split(':');
    if (names === undefined || group === undefined) continue;
    if (controllerName === '' ? names === '' : names.split(',').includes(controllerName)) return group;
  }
  return undefined;
}

/** "major:minor" of a block device, e.g. /dev/loop3 → "7:3". */
export function deviceNumbers(blockDevice: string): string {
  return readFileSync(`/sys/class/block/${path.basename(blockDevice)}/dev`, 'utf8').trim();
}

export function throttleProblem(): string | undefined {
  const c = controller('coupon-bench-probe');
  return typeof c === 'string' ? c : undefined;
}

/** Runs `fn` with writes to `blockDevice` held to `bytesPerSecond` for this process and its children. */
export async function withWriteLimit<T>(blockDevice: string, bytesPerSecond: number, fn: () => Promise<T>): Promise<T> {
  const c = controller(`coupon-bench-${process.pid}`);
  if (typeof c === 'string') throw new Error(c);
  mkdirSync(c.group, { recursive: true });
  try {
    c.limit(deviceNumbers(blockDevice), bytesPerSecond);
    writeFileSync(path.join(c.group, 'cgroup.procs'), String(process.pid));
    try {
      return await fn();
    } finally {
      writeFileSync(path.join(c.home, 'cgroup.procs'), String(process.pid));
    }
  } finally {
    rmdirSync(c.group);
  }
}
