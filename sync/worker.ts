/**
 * The sync worker of a kiosk: one PlatformLink per enrolled platform that
 * has a service URL (a platform imported from a bundle has none: USB only).
 * Each platform's outbox entries go to that platform only (the links read
 * the outbox per platform). The composition root wakes it on every verdict,
 * so an accepted redemption is on its way within a tick, and tells it when
 * the key store changed (platforms enrolled or removed, trust updates).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from '../device/logger.js';
import { enrolledIds, loadPlatform, type EnrolledPlatform } from '../provisioning/store/load.js';
import { PlatformLink, type LinkDeps } from './link.js';
import { syncStatus, type PlatformSyncStatus } from './status.js';

const RETRY_START_MS = 5000;

export interface SyncWorkerEvents {
  /** a platform's link changed state: its status now */
  status: [status: PlatformSyncStatus];
}

export class SyncWorker extends EventEmitter<SyncWorkerEvents> {
  private readonly links = new Map<string, PlatformLink>();
  private readonly log: Logger;
  private started = false;
  private retry: NodeJS.Timeout | undefined;

  /** `retryStartMs`: how soon a start the ledger refused is tried again (5 s) */
  constructor(private readonly deps: LinkDeps & { load?: (home: string, id: string) => EnrolledPlatform; retryStartMs?: number }) {
    super();
    this.log = deps.logger.child({ module: 'sync' });
  }

  /** Starts a link per platform with a URL; entries held before a restart are offered again (new software may send them readably). */
  start(): void {
    this.started = true;
    let released: number;
    try {
      released = this.deps.ledger.sync.releaseHeld();
    } catch (err) {
      // a ledger that does not open yet (full disk, lock): uploads must not stay off until a restart
      const ms = this.deps.retryStartMs ?? RETRY_START_MS;
      this.log.error({ err: (err as Error).message }, `sync worker waits for the ledger; trying again in ${ms / 1000} s`);
      this.retry = setTimeout(() => this.started && this.start(), ms).unref();
      return;
    }
    if (released > 0) this.log.info({ released }, 'held outbox entries are pending again');
    this.refresh();
  }

  /** Reads the enrolled platforms again: new ones get a link, removed ones lose theirs, others read their new keys. */
  refresh(): void {
    const seen = new Set<string>();
    for (const id of enrolledIds(this.deps.home)) {
      const p = this.tryLoad(id);
      if (p === undefined || p.record.url === null) continue;
      seen.add(id);
      const link = this.links.get(id);
      if (link) link.replacePlatform(p);
      else this.add(p);
    }
    for (const [id, link] of this.links) {
      if (seen.has(id)) continue;
      this.links.delete(id);
      void link.stop();
    }
  }

  /** a commit: every link uploads now (a link with nothing pending does one indexed read) */
  wake(): void {
    for (const l of this.links.values()) l.wake();
  }

  platforms(): PlatformLink[] {
    return [...this.links.values()];
  }

  status(): PlatformSyncStatus[] {
    return this.platforms().map((l) => syncStatus(this.deps.ledger, l.enrolled, l.health, this.deps.now()));
  }

  async stop(): Promise<void> {
    this.started = false;
    clearTimeout(this.retry);
    const links = [...this.links.values()];
    this.links.clear();
    await Promise.all(links.map((l) => l.stop()));
  }

  private add(p: EnrolledPlatform): void {
    const link = new PlatformLink(p, this.deps);
    link.on('change', () => this.emit('status', syncStatus(this.deps.ledger, link.enrolled, link.health, this.deps.now())));
    this.links.set(p.platformId, link);
    if (this.started) link.start();
  }

  private tryLoad(id: string): EnrolledPlatform | undefined {
    try {
      return (this.deps.load ?? loadPlatform)(this.deps.home, id);
    } catch (err) {
      this.log.error({ platformId: id, err: (err as Error).message }, 'platform not synced: its key store does not load');
      return undefined;
    }
  }
}
