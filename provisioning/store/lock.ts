/**
 * One writer at a time for a home's key store: `kiosk provision` commands in
 * other processes and the sync worker inside the running kiosk. Within a
 * process, writers queue on a promise chain; across processes, the first to
 * create `platforms/.lock` (O_EXCL) holds it. A lock whose process is gone
 * (kill -9) is taken over; a live holder makes the others wait, then
 * STORE_BUSY. Readers (the service reloading its keyring) take no lock:
 * every file is replaced atomically.
 */
import { closeSync, linkSync, openSync, readFileSync, renameSync, rmSync, rmdirSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ensureDir, fsyncDir } from '../../device/atomic-write.js';
import { ProvisionError } from '../errors.js';
import { LOCK_FILE, platformsDir } from './layout.js';

const chains = new Map<string, Promise<void>>();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface LockOptions {
  /** how long to wait for another holder (default 10 s) */
  waitMs?: number;
}

/** Runs `fn` holding the home's key-store lock; creates platforms/ (0700) when needed. */
export async function withStoreLock<T>(home: string, what: string, fn: () => Promise<T> | T, opts: LockOptions = {}): Promise<T> {
  const dir = platformsDir(home);
  const previous = chains.get(dir) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const chained = previous.then(() => mine);
  chains.set(dir, chained);
  await previous;
  try {
    const lock = path.join(dir, LOCK_FILE);
    await acquire(lock, what, opts.waitMs ?? 10_000);
    try {
      return await fn();
    } finally {
      rmSync(lock, { force: true });
      removeIfEmpty(dir); // a refused first enrollment leaves no trace, not even platforms/
    }
  } finally {
    release();
    if (chains.get(dir) === chained) chains.delete(dir);
  }
}

async function acquire(lock: string, what: string, waitMs: number): Promise<void> {
  const deadline = Date.now() + waitMs;
  const content = JSON.stringify({ pid: process.pid, what, since: new Date().toISOString() });
  for (;;) {
    try {
      ensureDir(path.dirname(lock), 0o700);
      const fd = openSync(lock, 'wx', 0o600);
      try {
        writeSync(fd, content);
      } finally {
        closeSync(fd);
      }
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue; // platforms/ was removed empty by a holder that just left
      if (code !== 'EEXIST') throw err;
    }
    const holder = readHolder(lock);
    if (holder === undefined) continue; // released between our attempt and the read
    if (!alive(holder.pid)) {
      takeOver(lock, holder.raw);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new ProvisionError('STORE_BUSY', `the key store is in use by process ${holder.pid} (${holder.what}, since ${holder.since}); try again when it is done (${lock})`);
    }
    await sleep(50);
  }
}

function readHolder(lock: string): { pid: number; what: string; since: string; raw: string } | undefined {
  let raw: string;
  try {
    raw = readFileSync(lock, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const v = JSON.parse(raw) as { pid?: unknown; what?: unknown; since?: unknown };
    if (typeof v.pid === 'number') return { pid: v.pid, what: String(v.what), since: String(v.since), raw };
  } catch {
    // a lock file torn by a crash between create and write: its holder is gone
  }
  return { pid: -1, what: 'unknown', since: 'unknown', raw };
}

function alive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves a dead holder's lock aside. If what was moved is not the lock judged
 * dead (another process took it over and locked in between), it goes back.
 */
function takeOver(lock: string, deadContent: string): void {
  const aside = `${lock}.stale-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(lock, aside);
  } catch {
    return; // someone else moved it: try again from the start
  }
  let moved = '';
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    // unreadable: treat as stale
  }
  if (moved !== deadContent) {
    try {
      linkSync(aside, lock); // never over a lock taken meanwhile
    } catch {
      // taken again meanwhile: the next round decides
    }
    rmSync(aside, { force: true });
    return;
  }
  rmSync(aside, { force: true });
  fsyncDir(path.dirname(lock));
}

function removeIfEmpty(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // not empty (the usual case), or gone
  }
}
