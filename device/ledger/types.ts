import type { ExportLedger } from './export-types.js';
import type { LedgerIdentity } from './identity.js';

/**
 * The ledger: the kiosk's durable memory (SQLite, WAL, synchronous=FULL).
 * One redemption per (platformId, serial), ever. Everything sync and export
 * need later is written in the same transaction as the redemption.
 */

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
  /** when the kiosk accepted it, Unix ms (effective trusted time) */
  at: number;
  terminalId: string;
  /** hex SHA-256 of the scanned text (never the text itself) */
  textHash: string;
}

export interface Redemption extends RedemptionInput {
  id: number;
  uploadedAt: number | null;
  exportedAt: number | null;
}

export type RedeemOutcome =
  | { ok: true; redemption: Redemption }
  | { ok: false; reason: 'ALREADY_REDEEMED'; first: Redemption };

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
  pendingUpload: number;
  notExported: number;
  scans: number;
  revocations: number;
}

export interface PlatformBacklog {
  notUploaded: number;
  notExported: number;
  /** neither uploaded nor exported */
  unsent: number;
}

export interface Ledger {
  /** Atomic: insert redemption + outbox row, or report the first redemption. Commits durably before returning. */
  redeem(r: RedemptionInput): RedeemOutcome;
  find(platformId: string, ctiHex: string): Redemption | undefined;
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
  /** outbox for the platform uplink */
  pendingUploads(limit: number): Redemption[];
  markUploaded(ids: number[], at: number): void;
  /**
   * A platform's redemptions that have not reached it: not uploaded, not
   * exported, and neither (what removing the platform's keys would strand).
   */
  backlog(platformId: string): PlatformBacklog;
  /** USB export bookkeeping */
  notExported(limit: number): Redemption[];
  markExported(ids: number[], at: number, batchId: string): void;
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
