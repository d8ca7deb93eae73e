/**
 * USB batches (issue 10): the chain per terminal and the import of a
 * verified batch with its redemptions in one transaction. The chain is held
 * by the database (0002_sync.sql): the primary key (terminal, seq) refuses a
 * second batch of one number, the unique manifest hash a replay, and a
 * foreign key onto (terminal, seq - 1, previous manifest hash) a gap or a
 * fork, also when two imports race through two service processes.
 */
import { SQLSTATE, isViolation, retryTransaction, type Db, type Queryable } from '../db.js';
import { StoreError } from '../errors.js';
import type { RecordOutcome, Store, UsbBatchRecord } from '../store.js';
import { recordAll } from './sync.js';

type UsbMethods = Pick<Store, 'usbChainHead' | 'usbBatchByManifest' | 'importUsbBatch'>;

const BATCH = `terminal_id AS "terminalId", seq, manifest_sha256 AS "manifestSha256", prev_manifest_sha256 AS "prevManifestSha256", data_sha256 AS "dataSha256",
  record_count AS "recordCount", imported_at AS "importedAt", accepted, duplicates, conflicts, refused`;

async function byManifest(q: Queryable, hash: Uint8Array): Promise<UsbBatchRecord | undefined> {
  return (await q.query<UsbBatchRecord>(`SELECT ${BATCH} FROM usb_batches WHERE manifest_sha256 = $1`, [hash])).rows[0];
}

export function tally(outcomes: RecordOutcome[]): Pick<UsbBatchRecord, 'accepted' | 'duplicates' | 'conflicts' | 'refused'> {
  const n = { accepted: 0, duplicates: 0, conflicts: 0, refused: 0 };
  for (const o of outcomes) {
    if (o.outcome === 'recorded') n.accepted++;
    else if (o.outcome === 'duplicate') n.duplicates++;
    else if (o.outcome === 'conflict') n.conflicts++;
    else n.refused++;
  }
  return n;
}

const hex = (b: Uint8Array | null): string => (b === null ? 'none' : Buffer.from(b).toString('hex'));

export function usbQueries(db: Db): UsbMethods {
  return {
    async usbChainHead(terminalId) {
      const r = await db.query<{ seq: number; manifestSha256: Uint8Array }>(
        'SELECT seq, manifest_sha256 AS "manifestSha256" FROM usb_batches WHERE terminal_id = $1 ORDER BY seq DESC LIMIT 1',
        [terminalId],
      );
      return r.rows[0] ?? { seq: 0, manifestSha256: null };
    },

    usbBatchByManifest: (hash) => byManifest(db, hash),

    importUsbBatch: (t, batch, records, now) =>
      retryTransaction(db, async (tx) => {
        let inserted;
        try {
          inserted = await tx.query(
            `INSERT INTO usb_batches (terminal_id, seq, manifest_sha256, prev_manifest_sha256, data_sha256, record_count, imported_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
            [t.terminalId, batch.seq, batch.manifestSha256, batch.prevManifestSha256, batch.dataSha256, records.length, now],
          );
        } catch (err) {
          if (isViolation(err, SQLSTATE.FOREIGN_KEY_VIOLATION, 'usb_batches_chain')) {
            throw new StoreError('BATCH_CHAIN_BROKEN', `batch ${batch.seq} of terminal ${t.terminalId} does not follow the batch the platform accepted before it (previous manifest ${hex(batch.prevManifestSha256)})`, { cause: err });
          }
          throw err;
        }
        if (inserted.rowCount === 0) {
          const before = await byManifest(tx, batch.manifestSha256);
          if (before) return { imported: false as const, batch: before };
          throw new StoreError('BATCH_REPLAYED', `batch ${batch.seq} of terminal ${t.terminalId} was imported already, with another manifest`);
        }
        const outcomes = await recordAll(tx, t, records, 'batch', now);
        const n = tally(outcomes);
        await tx.query('UPDATE usb_batches SET accepted = $3, duplicates = $4, conflicts = $5, refused = $6 WHERE terminal_id = $1 AND seq = $2', [t.terminalId, batch.seq, n.accepted, n.duplicates, n.conflicts, n.refused]);
        return { imported: true as const, batch: (await byManifest(tx, batch.manifestSha256))!, outcomes };
      }),
  };
}
