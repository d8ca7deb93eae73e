import type { EventEmitter } from 'node:events';

/** File system families the kiosk writes batches to. */
export type VolumeFamily = 'fat' | 'exfat' | 'ext';

/**
 * A mounted file system under one of the watched roots: in practice a USB
 * stick the device set-up mounted (systemd-mount, docs/hardware.md).
 */
export interface Volume {
  /** this mount's id in the mount table; a stick inserted again is a new mount with a new id */
  readonly id: string;
  readonly mountPoint: string;
  /** what is mounted: /dev/sda1 for a stick; an image or a FUSE source name otherwise */
  readonly source: string;
  readonly family: VolumeFamily;
  /** the type as the mount table says (vfat, exfat, fuseblk, fuse.exfat, ext4, …) */
  readonly fsType: string;
  /** mounted read-only (the mount's or the superblock's `ro`) */
  readonly readOnly: boolean;
  /** st_dev of every file on this mount: a writer checks that what it opened is on the stick, not on the directory under it */
  readonly dev: number;
}

export type EjectResult = { ejected: true } | { ejected: false; reason: string };

export class VolumeError extends Error {
  constructor(
    readonly code: 'MOUNT_TABLE_UNREADABLE',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'VolumeError';
  }
}

export interface VolumeWatcherEvents {
  added: [volume: Volume];
  removed: [volume: Volume];
  error: [error: VolumeError];
}

/**
 * Notices sticks being mounted and unmounted.
 *
 * Contract:
 * - `start()` reads the mount table and emits `added` for every volume
 *   already mounted (a stick inserted while the kiosk was down is seen at
 *   start), then keeps watching; it rejects only when it cannot start at all.
 * - `added` for a new mount under a watched root of a known family; `removed`
 *   when that mount is gone: unmounted, lazily unmounted, or yanked (the
 *   automounter unmounts a device that vanished). A writer learns of a yank
 *   earlier, as I/O errors (EIO, ENODEV, ENOENT), and must treat the volume as
 *   gone then; `isMounted` says whether the same mount is still in the table.
 * - A remount that changes read-only is a `removed` and an `added`.
 * - A table that cannot be read is an `error` event; watching goes on.
 * - `eject()` unmounts where the device set-up lets the kiosk user (else
 *   says why not); it never throws. The volume is then `removed` as usual.
 * - `stop()` stops watching; no event is emitted after it resolves.
 */
export interface VolumeWatcher extends EventEmitter<VolumeWatcherEvents> {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** the volumes mounted as last seen */
  volumes(): Volume[];
  /** reads the mount table now: is this very mount still there? */
  isMounted(volume: Volume): boolean;
  eject(volume: Volume): Promise<EjectResult>;
}
