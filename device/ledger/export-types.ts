/**
 * The ledger's side of USB export: numbered batches per (platform, enrolled
 * terminal), each covering a range of that platform's outbox entries fixed
 * when it is prepared: those past the platform's export watermark, seq <=
 * uptoSeq, in seq order, at most maxRecords (see the V2 and V3 migrations
 * for the states and why). Committing a batch moves the watermark to its
 * last seq: one small update, whatever the batch's size. Only the exporter
 * (sync/export/) calls this, one export at a time per ledger (the lease).
 */
import type { EntryFacts, OutboxKind } from './types.js';

/** What a batch record needs of an outbox entry and its redemption (fewer columns: 100,000 rows are read per export). */
export interface ExportRow extends EntryFacts {
  seq: number;
  kind: OutboxKind;
  platformId: string;
  /** the redemption's scan time, Unix ms */
  at: number;
  /** a reverse entry's time, Unix ms; null for a redeem entry */
  reversedAt: number | null;
}

/** One step of an export: the next records of a batch, as the data file has them. */
export interface ExportChunk {
  count: number;
  /** seq of the last entry in it */
  lastSeq: number;
  /** earliest and latest scan time in it, Unix ms */
  firstAt: number;
  lastAt: number;
  /** the record number n of the first of them: 1 + the batch's records before them */
  firstN: number;
  /** `count` lines in seq order, numbered from firstN: what encodeRecord (protocol/batch.ts) writes for them */
  bytes: Uint8Array;
}

export type BatchState = 'prepared' | 'signed' | 'exported';

export interface ExportBatch {
  id: number;
  platformId: string;
  /** the enrolled terminal id that signs this batch's chain */
  terminalId: string;
  sequence: number;
  state: BatchState;
  /** the record set: this platform's outbox entries past its watermark, seq <= uptoSeq, seq order, at most maxRecords */
  uptoSeq: number;
  maxRecords: number;
  /** Unix ms; goes into the manifest, so a rewrite after a crash is identical */
  createdAt: number;
  /** SHA-256 (hex) of the previous batch's manifest file; null for the first of the chain */
  previousSha256: string | null;
  /** known once signed */
  signed: SignedBatchFacts | null;
  exportedAt: number | null;
}

export interface SignedBatchFacts {
  count: number;
  firstAt: number;
  lastAt: number;
  /** seq of the batch's last entry: the set is then "past the watermark, seq <= lastSeq" */
  lastSeq: number;
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
  /** the highest outbox seq so far (0 when none): an export covers what was there when it began */
  maxSeq(): number;
  /** platforms with entries not exported (seq <= uptoSeq), with their counts, by platform id */
  queue(uptoSeq?: number): { platformId: string; count: number }[];
  /** the platform's export watermark: every entry of it with seq <= this is on a stick */
  watermark(platformId: string): number;
  /** the batch of this platform not yet exported (at most one exists) */
  openBatch(platformId: string): ExportBatch | undefined;
  /** the highest-numbered batch of this chain */
  lastBatch(platformId: string, terminalId: string): ExportBatch | undefined;
  /** the next batch of this chain over what is not exported (seq <= uptoSeq); undefined when there is nothing */
  prepare(p: { platformId: string; terminalId: string; maxRecords: number; createdAt: number; uptoSeq?: number }): ExportBatch | undefined;
  /** the batch's records after `afterSeq`, in seq order, at most `limit` (the caller stops at maxRecords) */
  records(batch: ExportBatch, afterSeq: number, limit: number): ExportRow[];
  /** the same records as lines of the data file: what the exporter writes (read on a connection of their own, see endStream) */
  chunk(batch: ExportBatch, afterSeq: number, limit: number): ExportChunk | undefined;
  /**
   * One step of making the next batch's chunks ahead (ledger v5): deletes a few chunks made under a watermark that
   * has moved, or else makes the next chunk of `records` entries of the first platform (that `platform` accepts)
   * with that many entries past its last chunk, within its next batch (the first `maxBatchRecords` entries past its
   * watermark). Returns the rows deleted or made; 0 when nothing is due. One short transaction.
   */
  chunkAhead(p: { records: number; maxBatchRecords: number; platform?: (platformId: string) => boolean }): number;
  /**
   * A passive WAL checkpoint: what chunkAhead wrote (half a megabyte a chunk) goes to the database file now, in the
   * caller's idle step, not in the commit of the next scan that crosses the WAL's limit.
   */
  settle(): void;
  /** the export lease's holder, if a lease is held (alive or not) */
  leaseHolder(): ExportLease | undefined;
  /** closes what chunk() opened; the exporter calls it when a run ends (the ledger's close does too) */
  endStream(): void;
  /** prepared → signed, with what the data file and the manifest turned out to be */
  sign(batchId: number, facts: SignedBatchFacts): ExportBatch;
  /** signed → exported, and the platform's watermark to the batch's last seq: the commit point, one small transaction */
  commit(batchId: number, at: number): ExportBatch;
  /** deletes a prepared batch (never a signed one: a copy may be on a stick) */
  abandon(batchId: number): void;
  batches(platformId?: string): ExportBatch[];
  /** takes the export lease unless a live holder has it; `stale` decides about the current holder */
  acquireLease(lease: ExportLease, stale: (holder: ExportLease) => boolean): { ok: true } | { ok: false; holder: ExportLease };
  releaseLease(owner: string): void;
}

/** A batch as people name it: platform/terminal/sequence. */
export function batchLabel(b: Pick<ExportBatch, 'platformId' | 'terminalId' | 'sequence'>): string {
  return `${b.platformId}/${b.terminalId}/${b.sequence}`;
}
