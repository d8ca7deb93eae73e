/**
 * The ledger's side of USB export: numbered batches per (platform, enrolled
 * terminal), each with a record set fixed when it is prepared (see the V2
 * migration for the states and why). Only the exporter (sync/export/) calls
 * this, one export at a time per ledger (the lease).
 */
import type { Redemption } from './types.js';

/** What a batch record needs of a redemption (fewer columns: 100,000 rows are read per export). */
export type ExportRow = Pick<Redemption, 'id' | 'platformId' | 'ctiHex' | 'serial' | 'product' | 'quantity' | 'consumer' | 'merchantId' | 'at' | 'terminalId'>;

export type BatchState = 'prepared' | 'signed' | 'exported';

export interface ExportBatch {
  id: number;
  platformId: string;
  /** the enrolled terminal id that signs this batch's chain */
  terminalId: string;
  sequence: number;
  state: BatchState;
  /** the record set: this platform's redemptions not exported, id <= uptoId, id order, at most maxRecords */
  uptoId: number;
  maxRecords: number;
  /** Unix ms; goes into the manifest, so a rewrite after a crash is identical */
  createdAt: number;
  /** SHA-256 (hex) of the previous batch's manifest file; null for the first of the chain */
  previousSha256: string | null;
  /** known once signed */
  signed: SignedBatchFacts | null;
  exportedAt: number | null;
  /** the redemption rows carry exported_at/export_batch for this batch */
  marked: boolean;
}

export interface SignedBatchFacts {
  count: number;
  firstAt: number;
  lastAt: number;
  /** id of the last redemption in the batch: the set is then "not exported, id <= lastId" */
  lastId: number;
  dataSha256: string;
  dataBytes: number;
  /** the manifest file, byte for byte */
  manifest: Uint8Array;
  manifestSha256: string;
}

export interface ExportLease {
  owner: string;
  pid: number;
  at: number;
}

export interface ExportLedger {
  /** the highest redemption id so far (0 when none): an export covers what was there when it began */
  maxRedemptionId(): number;
  /** platforms with redemptions not exported (id <= uptoId), with their counts, by platform id */
  queue(uptoId?: number): { platformId: string; count: number }[];
  /** the batch of this platform not yet exported (at most one exists) */
  openBatch(platformId: string): ExportBatch | undefined;
  /** the highest-numbered batch of this chain */
  lastBatch(platformId: string, terminalId: string): ExportBatch | undefined;
  /** the next batch of this chain over what is not exported (id <= uptoId); undefined when there is nothing */
  prepare(p: { platformId: string; terminalId: string; maxRecords: number; createdAt: number; uptoId?: number }): ExportBatch | undefined;
  /** the batch's records after `afterId`, in id order, at most `limit` (the caller stops at maxRecords) */
  records(batch: ExportBatch, afterId: number, limit: number): ExportRow[];
  /** prepared → signed, with what the data file and the manifest turned out to be */
  sign(batchId: number, facts: SignedBatchFacts): ExportBatch;
  /** signed → exported: the commit point, one small transaction */
  commit(batchId: number, at: number): ExportBatch;
  /** marks up to `limit` of an exported batch's rows; returns how many; the last call sets `marked` */
  markRows(batchId: number, limit: number): number;
  /** exported batches whose rows are not all marked yet */
  unmarked(): ExportBatch[];
  /** deletes a prepared batch (never a signed one: a copy may be on a stick) */
  abandon(batchId: number): void;
  batches(platformId?: string): ExportBatch[];
  /** takes the export lease unless a live holder has it; `stale` decides about the current holder */
  acquireLease(lease: ExportLease, stale: (holder: ExportLease) => boolean): { ok: true } | { ok: false; holder: ExportLease };
  releaseLease(owner: string): void;
  /**
   * Writes the WAL back into the database now (PASSIVE: never waits for
   * readers): after each chunk of marking, so that SQLite's automatic
   * checkpoint never has megabytes to write back in one go, inside a commit,
   * on the event loop.
   */
  checkpoint(): void;
}

/** The label written to redemptions.export_batch. */
export function batchLabel(b: Pick<ExportBatch, 'platformId' | 'terminalId' | 'sequence'>): string {
  return `${b.platformId}/${b.terminalId}/${b.sequence}`;
}
