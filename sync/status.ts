/**
 * A platform's sync state as people and scripts see it (`kiosk status
 * --json`, `kiosk sync`, the status line, `{"event":"sync"}` lines): the
 * durable part from the ledger (pending, rejected, held, conflicts, last
 * successful contact, revocation list age), the live part from the link.
 */
import type { Ledger } from '../device/ledger/types.js';
import type { EnrolledPlatform } from '../provisioning/store/load.js';
import type { LinkHealth } from './link.js';

export interface PlatformSyncStatus {
  platformId: string;
  /** null: not tried yet in this process (a command without a link) */
  online: boolean | null;
  /** local Unix ms of the last signed answer, null: never */
  lastSyncAt: number | null;
  /** seconds since then, null: never */
  sinceSyncS: number | null;
  /** outbox entries the platform has not answered (held included) */
  pending: number;
  rejected: number;
  held: number;
  conflicts: number;
  claimMode: string;
  /** local Unix ms of the last revocation pull that reached the list's end */
  revocationsAt: number | null;
  /** the list is older than the merchant's revocationMaxAgeS (or was never pulled) */
  revocationsStale: boolean;
  lastError: string | null;
}

export function syncStatus(ledger: Ledger, p: EnrolledPlatform, health: LinkHealth | undefined, now: number): PlatformSyncStatus {
  const counts = ledger.sync.counts(p.platformId);
  const state = ledger.sync.state(p.platformId);
  const sync = p.record.sync as { claimMode?: unknown; revocationMaxAgeS?: unknown };
  const maxAgeS = typeof sync.revocationMaxAgeS === 'number' ? sync.revocationMaxAgeS : 86_400;
  return {
    platformId: p.platformId,
    // another process (kiosk status) knows only what the ledger says: the last contact or the last failure, whichever is newer
    online: health ? health.online : state.lastErrorAt !== null && (state.lastSyncAt === null || state.lastErrorAt > state.lastSyncAt) ? false : state.lastSyncAt !== null ? true : null,
    lastSyncAt: state.lastSyncAt,
    sinceSyncS: state.lastSyncAt === null ? null : Math.max(0, Math.round((now - state.lastSyncAt) / 1000)),
    pending: counts.pending,
    rejected: counts.rejected,
    held: counts.held,
    conflicts: counts.conflicts,
    claimMode: typeof sync.claimMode === 'string' ? sync.claimMode : 'offline',
    revocationsAt: state.revocationsAt,
    revocationsStale: state.revocationsAt === null || now - state.revocationsAt > maxAgeS * 1000,
    lastError: health ? health.lastError : state.lastErrorAt !== null && (state.lastSyncAt === null || state.lastErrorAt > state.lastSyncAt) ? state.lastError : null,
  };
}
