import type { ExportLedger } from './export-types.js';
import type { SyncLedger } from './sync-types.js';
import type { LedgerIdentity } from './identity.js';

/**
 * The ledger: the kiosk's durable memory (SQLite, WAL, synchronous=FULL).
 * One live redemption per (platformId, coupon): a reversal frees the coupon
 * and is itself an entry, never a deletion. Everything sync and export need
 * later (the outbox entry) is written in the same transaction as the
 * redemption.
 */

/** What became of a redemption's online claim (claim modes, docs/protocol.md "Claims"). */
export type ClaimState =
  /** no claim: offline mode, or a platform without an uplink */
  | 'none'
  /** the platform claimed it for this terminal before the ledger committed it */
  | 'claimed'
  /** the claim got no answer in time and the kiosk accepted it offline (online-preferred) */
  | 'unanswered'
  /** the claim got no answer and the scan was refused: a row born reversed whose reverse entry releases the claim if it landed */
  | 'released';

/** An outbox entry's upload state: pending → sent | rejected; held: the platform cannot read it (kept pending, shown). */
export type OutboxState = 'pending' | 'held' | 'sent' | 'rejected';
export type OutboxKind = 'redeem' | 'reverse';

/** What an upload record and a USB batch record carry of a redemption besides its times. */
export interface EntryFacts {
  ctiHex: string;
  serial: string;
  product: string;
  quantity: number;
  consumer: string;
  merchantId: string;
  terminalId: string;
}

export interface RedemptionInput {
  platformId: string; // claims.iss
  ctiHex: string; // claims.cti as lowercase hex: the uniqueness key with platformId
  serial: string; // Crockford groups, for people
  product: string;
  quantity: number;
  title?: string;
  merchantId: string; // claims.aud
  consumer: string; // claims.sub
  iat: number; // Unix s
  exp: number; // Unix s
  /** when the kiosk accepted it, Unix ms (effective trusted time): the scan time sent to the platform */
  at: number;
  terminalId: string;
  /** hex SHA-256 of the scanned text (never the text itself) */
  textHash: string;
  /** accepted without an online claim (default true: offline mode, no uplink) */
  offline?: boolean;
  /** default 'none' */
  claim?: ClaimState;
}

export interface Redemption extends RedemptionInput {
  id: number;
  offline: boolean;
  claim: ClaimState;
  /** undone (kiosk time, Unix ms): by a cashier's reversal or the release of an unanswered claim; the coupon is free again */
  reversedAt: number | null;
  reversedBy: 'cashier' | 'release' | null;
  /** its redeem entry's upload state (null for a released claim: it has only a reverse entry) */
  upload: OutboxState | null;
  /** the platform's answer to it (recorded, duplicate, conflict, unknown, revoked, refused) */
  uploadResult: string | null;
  /** when the platform's answer came (sent or rejected), local Unix ms */
  uploadedAt: number | null;
  /** its redeem entry is on a USB stick (below the platform's export watermark) */
  exported: boolean;
}

export type RedeemOutcome =
  | { ok: true; redemption: Redemption }
  | { ok: false; reason: 'ALREADY_REDEEMED'; first: Redemption };

export type ReverseOutcome =
  | { ok: true; redemption: Redemption; seq: number }
  /** no such redemption, or it was reversed already */
  | { ok: false; reason: 'NOT_FOUND' | 'ALREADY_REVERSED'; redemption?: Redemption };

export interface ScanRecord {
  at: number; // Unix ms
  reason: string; // a Reason code
  textHash: string;
  platformId?: string;
  ctiHex?: string;
  serial?: string;
  /** ms from line received to verdict */
  latencyMs?: number;
}

export interface LedgerCounts {
  redemptions: number;
  /** outbox entries (redemptions and reversals) the platform has not answered */
  pendingUpload: number;
  /** outbox entries not on a USB stick */
  notExported: number;
  scans: number;
  revocations: number;
  /** outbox entries the platform refused for good (kept, shown, exported) */
  rejected: number;
  /** reverse entries (reversals and releases) */
  reversals: number;
  conflicts: number;
}

export interface PlatformBacklog {
  notUploaded: number;
  notExported: number;
  /** neither uploaded nor exported */
  unsent: number;
}

export interface Ledger {
  /** Atomic: insert redemption + its outbox entry, or report the live redemption. Commits durably before returning. */
  redeem(r: RedemptionInput): RedeemOutcome;
  /**
   * An online claim that got no answer and was refused: a redemption born
   * reversed at `at` (it never takes the coupon here) and its reverse entry,
   * which releases the claim on the platform if it landed after all.
   */
  release(r: RedemptionInput, at: number): { redemption: Redemption; seq: number };
  /** A compensating entry: the redemption is undone at `at` (never deleted), its reverse entry queued, the coupon free again. */
  reverse(id: number, at: number): ReverseOutcome;
  /** the live (not reversed) redemption of a coupon */
  find(platformId: string, ctiHex: string): Redemption | undefined;
  /** every redemption of this serial (reversed ones too), newest first */
  findBySerial(serial: string): Redemption[];
  isRevoked(platformId: string, ctiHex: string): boolean;
  addRevocations(platformId: string, ctiHexes: string[], at: number): number;
  /**
   * Append to the scan log. With `raise`, the trusted time floor is raised in the
   * same transaction (one fsync per scan for both); it is never lowered.
   */
  logScan(s: ScanRecord, raise?: { t: number; source: string }): void;
  lastScan(): ScanRecord | undefined;
  /** highest trusted time seen, Unix s (0 if none) */
  trustedTime(): number;
  /**
   * Raise the floor if t is higher; never lowers it; returns the floor after.
   * Storage only, no judgement: sources go through device/trusted-time.ts,
   * which bounds what a signed time may do to the floor.
   */
  raiseTrustedTime(t: number, source: string): number;
  /** A technician's reset (`kiosk clock reset`): sets the floor to t, even lower; recorded in meta. */
  resetTrustedTime(t: number, by: string): { from: number; to: number };
  /** The identity in the ledger's meta table (device/ledger/identity.ts); undefined for a ledger from before identities. */
  identity(): LedgerIdentity | undefined;
  /** One small durable write: throws the LedgerError a redemption would meet now (full disk, lock, read-only). */
  probe(): void;
  list(opts?: { limit?: number; offset?: number }): Redemption[];
  counts(): LedgerCounts;
  /**
   * A platform's outbox entries that have not reached it: not uploaded, not
   * exported, and neither (what removing the platform's keys would strand).
   */
  backlog(platformId: string): PlatformBacklog;
  /** the outbox and the platform link's bookkeeping (sync/), on the same connection */
  readonly sync: SyncLedger;
  /** USB export batches (sync/export/), on the same connection */
  readonly exports: ExportLedger;
  integrityCheck(): string;
  close(): void;
}

export class LedgerError extends Error {
  constructor(
    readonly code:
      | 'LEDGER_OPEN_FAILED'
      | 'LEDGER_NOT_DURABLE'
      | 'LEDGER_CORRUPT'
      | 'LEDGER_READ_ONLY'
      | 'LEDGER_DISK_FULL'
      | 'LEDGER_WRITE_FAILED'
      | 'LEDGER_SCHEMA_TOO_NEW'
      | 'LEDGER_BUSY'
      | 'LEDGER_LOST'
      | 'LEDGER_MISMATCH'
      | 'LEDGER_PATH_MISMATCH'
      | 'LEDGER_OUTSIDE_HOME',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LedgerError';
  }
}
