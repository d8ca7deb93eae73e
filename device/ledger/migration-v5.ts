/**
 * Ledger version 5 (issue 10, the export's speed): chunks of the next batch's
 * data file, made ahead of time.
 *
 * Between two exports of a platform its watermark does not move, so the lines
 * of its next batch (numbered from that watermark) are already fixed: the
 * service makes them in idle time (sync/export/chunks-ahead.ts), for that
 * next batch only, `chunkRecords` entries at a time, with the
 * very statement an export runs (CHUNK_SQL), and keeps each as one BLOB here.
 * An export then reads a BLOB per step instead of making it (a tenth of the
 * time: bench/usb-export.ts), and makes live only what no chunk covers yet.
 *
 * A chunk is used only while its `mark` is the platform's watermark (the
 * numbers in it count from there); the first step of ChunksAhead after an export
 * deletes the chunks of the old watermark. Entries are append-only and their
 * facts fixed (outbox triggers), so a chunk stays what CHUNK_SQL would make
 * now. A migration that rewrites outbox records must delete these rows.
 */
export const V5 = `
CREATE TABLE export_chunks (
  platform_id TEXT NOT NULL,
  mark INTEGER NOT NULL,
  from_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  first_at INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  count INTEGER NOT NULL CHECK (count > 0),
  first_n INTEGER NOT NULL CHECK (first_n > 0),
  bytes BLOB NOT NULL,
  PRIMARY KEY (platform_id, mark, from_seq),
  CHECK (last_seq > from_seq AND from_seq >= mark)
) STRICT;
`;
