/**
 * The keys a running kiosk redeems with, replaceable without a restart: the
 * pipeline reads `keyring` once per scan, and whoever learns that the key
 * store changed (a `kiosk provision refresh` in another process, the sync
 * worker applying a trust update in this one) puts a whole new snapshot in.
 * A snapshot is never changed in place, so a scan sees one keyring from
 * start to end.
 */
import { EventEmitter } from 'node:events';
import type { Keyring } from '../coupon/index.js';

/** A platform that disabled this terminal (a stolen kiosk): its merchant keys are gone. */
export interface DisabledPlatform {
  platformId: string;
  terminalId: string;
  /** when the kiosk learned it, Unix ms */
  at: number;
  message: string;
}

export interface KeySnapshot {
  keyring: Keyring;
  disabled: readonly DisabledPlatform[];
}

/** What the pipeline needs: the keyring of this moment. */
export interface KeySource {
  readonly keyring: Keyring;
}

export interface KeyringHolderEvents {
  change: [snapshot: KeySnapshot];
}

export class KeyringHolder extends EventEmitter<KeyringHolderEvents> implements KeySource {
  private current: KeySnapshot;

  constructor(initial: KeySnapshot) {
    super();
    this.current = initial;
  }

  get keyring(): Keyring {
    return this.current.keyring;
  }

  get snapshot(): KeySnapshot {
    return this.current;
  }

  replace(next: KeySnapshot): void {
    this.current = next;
    this.emit('change', next);
  }
}

/** A fixed source (commands that run once, tests). */
export function fixedKeys(keyring: Keyring): KeyringHolder {
  return new KeyringHolder({ keyring, disabled: [] });
}
