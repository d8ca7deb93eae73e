/**
 * Keeps a running kiosk's keyring in step with its home: every `pollMs` it
 * looks at what changes with every key-store write (`platforms/.generation`,
 * `platforms/`, `trust.json`, `keys/`: a few stat calls) and, when anything
 * moved, loads the keys again and puts the new snapshot in the holder the
 * pipeline reads per scan. A write by another process (`kiosk provision
 * refresh`) is picked up within `pollMs`; one in this process (the sync
 * worker) calls `reload()` at once. A home that fails to load (a key made
 * world-readable by hand) keeps the keys the kiosk had, logged as an error,
 * until it loads again.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { homePaths } from '../device/home.js';
import type { KeyringHolder, KeySnapshot } from '../device/keyring-holder.js';
import type { Logger } from '../device/logger.js';
import { errInfo } from '../device/err-info.js';
import { GENERATION_FILE, platformsDir } from './store/layout.js';

export interface ReloaderOptions {
  home: string;
  holder: KeyringHolder;
  /** the keys as they are now (provisioning/home-keys.ts) */
  load: () => KeySnapshot;
  logger: Logger;
  /** default 2000 */
  pollMs?: number;
}

export class KeyringReloader {
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private seen: string;

  constructor(private readonly opts: ReloaderOptions) {
    this.log = opts.logger.child({ module: 'keys' });
    this.seen = this.signature();
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.poll(), this.opts.pollMs ?? 2000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Loads the keys now; false (old keys kept, error logged) when the home does not load. */
  reload(why: string): boolean {
    for (let attempt = 0; attempt < 3; attempt++) {
      const before = this.signature();
      let next: KeySnapshot;
      try {
        next = this.opts.load();
      } catch (err) {
        if (this.signature() !== before) continue; // a writer was at work: read again
        this.seen = before;
        this.log.error({ err: errInfo(err), why }, 'keys not reloaded: the home\'s keys do not load; the kiosk keeps the keys it had');
        return false;
      }
      this.seen = before;
      this.opts.holder.replace(next);
      const { keyring, disabled } = next;
      this.log.info({ why, platforms: keyring.platforms.map((p) => p.platformId), merchantKeys: keyring.merchantKeys.length, disabled: disabled.map((d) => d.platformId) }, 'keys reloaded');
      return true;
    }
    return false;
  }

  private poll(): void {
    if (this.signature() !== this.seen) this.reload('key store changed');
  }

  /** What any key-store or PEM-import write changes. */
  private signature(): string {
    const paths = homePaths(this.opts.home);
    const dir = platformsDir(this.opts.home);
    return [path.join(dir, GENERATION_FILE), dir, paths.trust, paths.keys].map(stamp).join('|');
  }
}

function stamp(file: string): string {
  try {
    const st = statSync(file);
    return `${st.ino}:${st.mtimeMs}:${st.size}`;
  } catch {
    return '-';
  }
}
