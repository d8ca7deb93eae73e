/**
 * A volume watcher without a kernel: a test (or the simulated kiosk) says
 * which directories are "sticks". Each fake volume is a real directory, so
 * the exporter writes real files; `dev` is the directory's own st_dev.
 *
 * With `dir`, every subdirectory of it is a stick, looked at every `pollMs`
 * (`mkdir -p DIR/stick1/coupon-export` inserts one in `npm start`; a name
 * ending in `.ro` is a read-only stick).
 */
import { EventEmitter } from 'node:events';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { EjectResult, Volume, VolumeFamily, VolumeWatcher, VolumeWatcherEvents } from './port.js';

export class FakeVolumeWatcher extends EventEmitter<VolumeWatcherEvents> implements VolumeWatcher {
  readonly name = 'fake';
  readonly ejected: string[] = [];
  private readonly mounted = new Map<string, Volume>();
  private running = false;
  private nextId = 1;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: { dir?: string; pollMs?: number } = {}) {
    super();
  }

  async start(): Promise<void> {
    this.running = true;
    for (const v of this.mounted.values()) this.emit('added', v);
    this.scan();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** "Insert" the directory as a stick. */
  insert(mountPoint: string, opts: { readOnly?: boolean; family?: VolumeFamily } = {}): Volume {
    const volume: Volume = {
      id: `fake-${this.nextId++}`,
      mountPoint: path.resolve(mountPoint),
      source: `fake:${mountPoint}`,
      family: opts.family ?? 'fat',
      fsType: opts.family === 'ext' ? 'ext4' : opts.family === 'exfat' ? 'exfat' : 'vfat',
      readOnly: opts.readOnly ?? false,
      dev: statSync(mountPoint).dev,
    };
    this.mounted.set(volume.mountPoint, volume);
    if (this.running) this.emit('added', volume);
    return volume;
  }

  /** "Pull out" the stick at this mount point. */
  remove(mountPoint: string): void {
    const v = this.mounted.get(path.resolve(mountPoint));
    if (v === undefined) return;
    this.mounted.delete(v.mountPoint);
    if (this.running) this.emit('removed', v);
  }

  volumes(): Volume[] {
    return [...this.mounted.values()];
  }

  isMounted(volume: Volume): boolean {
    return this.mounted.get(volume.mountPoint)?.id === volume.id;
  }

  async eject(volume: Volume): Promise<EjectResult> {
    if (!this.isMounted(volume)) return { ejected: false, reason: `${volume.mountPoint} is not mounted` };
    this.ejected.push(volume.mountPoint);
    this.remove(volume.mountPoint);
    return { ejected: true };
  }

  private scan(): void {
    const dir = this.opts.dir;
    if (dir === undefined || !this.running) return;
    let names: string[] = [];
    try {
      names = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    } catch {
      // no such directory yet: no sticks
    }
    const present = new Set(names.map((n) => path.resolve(dir, n)));
    for (const p of this.mounted.keys()) if (!present.has(p)) this.remove(p);
    for (const p of present) if (!this.mounted.has(p)) this.insert(p, { readOnly: p.endsWith('.ro') });
    this.timer = setTimeout(() => this.scan(), this.opts.pollMs ?? 1000);
  }
}
