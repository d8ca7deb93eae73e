/**
 * The real volume watcher: reads /proc/self/mountinfo every `pollMs` and
 * reports mounts that came and went under the watched roots.
 *
 * Polling, not poll(2): the kernel does signal a mount table change on
 * /proc/self/mountinfo (POLLPRI), but Node cannot poll(2) an arbitrary file
 * descriptor without a native addon (fs.watch is inotify, which /proc never
 * fires), and one read of a few kilobytes a second costs ~0.1 ms, while a
 * stick takes seconds to be mounted anyway (docs/decisions.md).
 */
import { execFile } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseMountInfo, volumesOf, type VolumeFilter } from './mountinfo.js';
import { VolumeError, type EjectResult, type Volume, type VolumeWatcher, type VolumeWatcherEvents } from './port.js';

export const MOUNTINFO = '/proc/self/mountinfo';

export interface MountTableWatcherOptions extends VolumeFilter {
  pollMs: number;
  /** the mount table's path (tests point it at a file they write) */
  table?: string;
  /**
   * Unmounts a mount point; rejects with the reason. Default: `systemd-umount`,
   * which the device set-up allows the kiosk user for its stick mounts (polkit).
   * `null`: never unmount.
   */
  unmount?: ((mountPoint: string) => Promise<void>) | null;
}

export class MountTableWatcher extends EventEmitter<VolumeWatcherEvents> implements VolumeWatcher {
  readonly name = 'mountinfo';
  private current = new Map<string, Volume>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private lastError = '';

  constructor(private readonly opts: MountTableWatcherOptions) {
    super();
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    let text: string;
    try {
      text = await readFile(this.table(), 'utf8'); // a kiosk without a mount table cannot watch at all: reject
    } catch (err) {
      this.running = false;
      throw err;
    }
    if (!this.running) return; // stop() came while the table was read
    this.update(text);
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  volumes(): Volume[] {
    return [...this.current.values()];
  }

  isMounted(volume: Volume): boolean {
    let text: string;
    try {
      text = readFileSync(this.table(), 'utf8');
    } catch {
      return false;
    }
    // A look at the table is a poll: a stick pulled and put back between two polls can get the
    // same mount id again, and only a poll that saw it gone reports the new mount as added.
    if (this.running) this.update(text);
    return volumesOf(parseMountInfo(text), this.opts).some((v) => sameMount(v, volume));
  }

  async eject(volume: Volume): Promise<EjectResult> {
    const unmount = this.opts.unmount === undefined ? systemdUmount : this.opts.unmount;
    if (unmount === null) return { ejected: false, reason: 'unmounting is turned off (usb.unmount)' };
    try {
      await unmount(volume.mountPoint);
      this.isMounted(volume); // a look at the table now: the stick may be put back before the next poll
      return { ejected: true };
    } catch (err) {
      return { ejected: false, reason: (err as Error).message };
    }
  }

  private table(): string {
    return this.opts.table ?? MOUNTINFO;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => void this.poll(), this.opts.pollMs);
  }

  private async poll(): Promise<void> {
    try {
      const text = await readFile(this.table(), 'utf8');
      if (this.running) this.update(text);
      this.lastError = '';
    } catch (err) {
      const message = `cannot read ${this.table()}: ${(err as Error).message}`;
      // once per distinct problem, not once a second
      if (message !== this.lastError && this.running) this.emit('error', new VolumeError('MOUNT_TABLE_UNREADABLE', message, { cause: err }));
      this.lastError = message;
    }
    this.schedule();
  }

  private update(text: string): void {
    const next = new Map<string, Volume>();
    for (const v of volumesOf(parseMountInfo(text), this.opts)) next.set(key(v), v);
    const before = this.current;
    this.current = next;
    for (const [k, v] of before) if (!next.has(k)) this.emit('removed', v);
    for (const [k, v] of next) if (!before.has(k)) this.emit('added', v);
  }
}

/** A remount that flips read-only is another volume to the kiosk. */
function key(v: Volume): string {
  return `${v.id}:${v.readOnly ? 'ro' : 'rw'}`;
}

function sameMount(a: Volume, b: Volume): boolean {
  return a.id === b.id && a.mountPoint === b.mountPoint && a.dev === b.dev;
}

/** systemd-umount asks PID 1 to stop the mount unit; polkit decides whether the kiosk user may. */
export function systemdUmount(mountPoint: string): Promise<void> {
  return runUnmount('systemd-umount', [mountPoint]);
}

export function runUnmount(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 20_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const why = stderr.trim().split('\n').pop() || err.message;
      reject(new Error(`${command} ${args.join(' ')}: ${why}`));
    });
  });
}
