import type Database from 'better-sqlite3';
import { PSEQ_AT } from './batch-record.js';
import { type ExportBatch, type ExportChunk, type ExportLease, type ExportLedger, type ExportRow, type SignedBatchFacts } from './export-types.js';

/** Runs a ledger operation, turning SQLite errors into LedgerErrors (the ledger's own guard). */
export type Guard = <T>(op: string, fn: () => T, read?: boolean) => T;

interface BatchRow {
  id: number;
  platformId: string;
  terminalId: string;
  sequence: number;
  state: ExportBatch['state'];
  uptoSeq: number;
  maxRecords: number;
  createdAt: number;
  previousSha256: string | null;
  count: number | null;
  firstAt: number | null;
  lastAt: number | null;
  lastSeq: number | null;
  dataSha256: string | null;
  dataBytes: number | null;
  manifest: Buffer | null;
  manifestSha256: string | null;
  exportedAt: number | null;
}

const BATCH = `SELECT id, platform_id AS platformId, terminal_id AS terminalId, sequence, state, upto_seq AS uptoSeq,
  max_records AS maxRecords, created_at AS createdAt, previous_sha256 AS previousSha256, count, first_at AS firstAt,
  last_at AS lastAt, last_seq AS lastSeq, data_sha256 AS dataSha256, data_bytes AS dataBytes, manifest,
  manifest_sha256 AS manifestSha256, exported_at AS exportedAt FROM export_batches`;

/** the platform's watermark, 0 before its first export */
const markOf = (platform: string): string => `coalesce((SELECT seq FROM export_marks WHERE platform_id = ${platform}), 0)`;
const MARK = markOf('?');

const LEASE_KEY = 'export_lease';

/** the pseq at the platform's watermark: its next entry not exported is record 1 of the next batch */
const BASE = PSEQ_AT('@platformId', markOf('@platformId'));

function prepareExportStatements(db: Database.Database) {
  return {
    // a skip-scan over the outbox's (platform_id, seq) index: one probe per platform, not one per entry
    nextPlatform: db.prepare<[string], { platformId: string }>(
      `SELECT platform_id AS platformId FROM outbox WHERE platform_id > ? ORDER BY platform_id LIMIT 1`,
    ),
    // pseqs have no gaps: the count is a difference (two index probes), not a walk over every entry
    countQueued: db.prepare<[{ platformId: string; upto: number }], { n: number }>(
      `SELECT max(0, ${PSEQ_AT('@platformId', '@upto')} - ${BASE}) AS n`,
    ),
    anyQueued: db.prepare<[string, string, number], { one: number }>(
      `SELECT 1 AS one FROM outbox WHERE platform_id = ? AND seq > ${MARK} AND seq <= ? LIMIT 1`,
    ),
    watermark: db.prepare<[string], { seq: number }>(`SELECT ${MARK} AS seq`),
    maxSeq: db.prepare<[], { m: number | null }>(`SELECT max(seq) AS m FROM outbox`),
    byId: db.prepare<[number], BatchRow>(`${BATCH} WHERE id = ?`),
    open: db.prepare<[string], BatchRow>(`${BATCH} WHERE platform_id = ? AND state <> 'exported'`),
    last: db.prepare<[string, string], BatchRow>(`${BATCH} WHERE platform_id = ? AND terminal_id = ? ORDER BY sequence DESC LIMIT 1`),
    all: db.prepare<[], BatchRow>(`${BATCH} ORDER BY id`),
    ofPlatform: db.prepare<[string], BatchRow>(`${BATCH} WHERE platform_id = ? ORDER BY id`),
    insert: db.prepare<[Record<string, unknown>]>(
      `INSERT INTO export_batches (platform_id, terminal_id, sequence, state, upto_seq, max_records, created_at, previous_sha256)
       VALUES (@platformId, @terminalId, @sequence, 'prepared', @uptoSeq, @maxRecords, @createdAt, @previousSha256)`,
    ),
    sign: db.prepare<[Record<string, unknown>]>(
      `UPDATE export_batches SET state = 'signed', count = @count, first_at = @firstAt, last_at = @lastAt, last_seq = @lastSeq,
         data_sha256 = @dataSha256, data_bytes = @dataBytes, manifest = @manifest, manifest_sha256 = @manifestSha256
       WHERE id = @id AND state = 'prepared'`,
    ),
    commit: db.prepare<[number, number]>(`UPDATE export_batches SET state = 'exported', exported_at = ? WHERE id = ? AND state = 'signed'`),
    // the watermark never moves back (a trigger refuses it); a batch that is all below it changes nothing
    mark: db.prepare<[string, number]>(
      `INSERT INTO export_marks (platform_id, seq) VALUES (?, ?) ON CONFLICT (platform_id) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > seq`,
    ),
    // raw rows: 100,000 of them are read per export, and an array per row costs less than an object
    records: db.prepare<[string, number, number, number], unknown[]>(
      `SELECT o.seq, o.kind, o.platform_id, r.cti_hex, r.serial, r.product, r.quantity, r.consumer, r.merchant_id, r.at,
         CASE WHEN o.kind = 'reverse' THEN o.at END, r.terminal_id
       FROM outbox o JOIN redemptions r ON r.id = o.redemption_id
       WHERE o.platform_id = ? AND o.seq > ? AND o.seq <= ? ORDER BY o.seq LIMIT ?`,
    ).raw(true),
    abandon: db.prepare<[number]>(`DELETE FROM export_batches WHERE id = ? AND state = 'prepared'`),
    // chunks made under a watermark that has moved since: a few per call, so that no call holds the loop for long
    dropStaleChunks: db.prepare<[]>(
      `DELETE FROM export_chunks WHERE rowid IN (SELECT c.rowid FROM export_chunks c
         WHERE c.mark <> coalesce((SELECT m.seq FROM export_marks m WHERE m.platform_id = c.platform_id), 0) LIMIT 4)`,
    ),
    chunkedUpto: db.prepare<[string, number], { s: number | null }>(`SELECT max(last_seq) AS s FROM export_chunks WHERE platform_id = ? AND mark = ?`),
    // entries of the platform after seq @from, and between its watermark @mark and @from: differences of pseqs
    entriesAround: db.prepare<[{ platformId: string; mark: number; from: number }], { after: number; before: number }>(
      `SELECT ${PSEQ_AT('@platformId', String(Number.MAX_SAFE_INTEGER))} - ${PSEQ_AT('@platformId', '@from')} AS after,
         ${PSEQ_AT('@platformId', '@from')} - ${PSEQ_AT('@platformId', '@mark')} AS before`,
    ),
    leaseHolder: db.prepare<[], { value: string }>(`SELECT value FROM meta WHERE key = '${LEASE_KEY}'`),
    chunkAhead: db.prepare<[{ platformId: string; mark: number; from: number; upto: number; limit: number }]>(
      `INSERT INTO export_chunks (platform_id, mark, from_seq, last_seq, first_at, last_at, count, first_n, bytes)
       SELECT @platformId, @mark, @from, c.last_seq, c.first_at, c.last_at, c.count, c.first_n, c.bytes FROM (${CHUNK_SQL}) c
       WHERE c.count = @limit AND c.last_n - c.first_n + 1 = c.count`,
    ),
    getLease: db.prepare<[string], { value: string }>(`SELECT value FROM meta WHERE key = ?`),
    setLease: db.prepare<[string, string]>(
      `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ),
    dropLease: db.prepare<[string]>(`DELETE FROM meta WHERE key = ?`),
  };
}

/**
 * One step of an export as one BLOB of the data file: each entry's kept record
 * behind its kind and number (batch-record.ts), no join (a reverse entry looks
 * up its redemption's time) and no JavaScript value per record. The aggregate
 * takes the rows in the subquery's order (a co-routine over the
 * outbox_platform index, no sort: test/device/ledger/export-lines.test.ts
 * checks the plan and the order); group_concat(… ORDER BY seq) would sort the
 * lines of every step again. Runs on the export's own reader (openStreamReader).
 */
export const CHUNK_SQL = `SELECT max(seq) AS last_seq, min(at) AS first_at, max(at) AS last_at, count(*) AS count, min(pseq) - base AS first_n,
  max(pseq) - base AS last_n, CAST(group_concat(line, '') AS BLOB) AS bytes FROM (
  SELECT o.seq, o.pseq, b.base,
    CASE o.kind WHEN 'redeem' THEN o.at ELSE (SELECT r.at FROM redemptions r WHERE r.id = o.redemption_id) END AS at,
    CASE o.kind WHEN 'redeem' THEN '{"kind":"redeem","n":' ELSE '{"kind":"reverse","n":' END || (o.pseq - b.base) || o.record || char(10) AS line
  FROM (SELECT ${BASE} AS base) b, outbox o
  WHERE o.platform_id = @platformId AND o.seq > @from AND o.seq <= @upto ORDER BY o.seq LIMIT @limit)`;

/**
 * The statements of an export's own reader: a chunk made ahead (ledger v5,
 * migration-v5.ts) when one starts at `from` under the current watermark and
 * is the step (as many entries, none past the batch), else the chunk made
 * now. Both give the same row.
 */
function prepareChunk(db: Database.Database) {
  return {
    ahead: db.prepare<[{ platformId: string; mark: number; from: number; upto: number; limit: number }], ChunkRow>(
      `SELECT last_seq, first_at, last_at, count, first_n, first_n + count - 1, bytes FROM export_chunks
       WHERE platform_id = @platformId AND mark = @mark AND from_seq = @from AND count = @limit AND last_seq <= @upto`,
    ).raw(true),
    now: db.prepare<[{ platformId: string; from: number; upto: number; limit: number }], ChunkRow>(CHUNK_SQL).raw(true),
  };
}

type ChunkRow = [number | null, number | null, number | null, number, number | null, number | null, Buffer | null];

type RawRecord = [number, ExportRow['kind'], string, string, string, string, number, string, string, number, number | null, string];

function toRow(r: RawRecord): ExportRow {
  return {
    seq: r[0], kind: r[1], platformId: r[2], ctiHex: r[3], serial: r[4], product: r[5], quantity: r[6],
    consumer: r[7], merchantId: r[8], at: r[9], reversedAt: r[10], terminalId: r[11],
  };
}

function toBatch(r: BatchRow): ExportBatch {
  const signed: SignedBatchFacts | null =
    r.manifest === null || r.manifestSha256 === null || r.count === null || r.lastSeq === null
      ? null
      : {
          count: r.count,
          firstAt: r.firstAt ?? 0,
          lastAt: r.lastAt ?? 0,
          lastSeq: r.lastSeq,
          dataSha256: r.dataSha256 ?? '',
          dataBytes: r.dataBytes ?? 0,
          manifest: new Uint8Array(r.manifest),
          manifestSha256: r.manifestSha256,
        };
  return {
    id: r.id,
    platformId: r.platformId,
    terminalId: r.terminalId,
    sequence: r.sequence,
    state: r.state,
    uptoSeq: r.uptoSeq,
    maxRecords: r.maxRecords,
    createdAt: r.createdAt,
    previousSha256: r.previousSha256,
    signed,
    exportedAt: r.exportedAt,
  };
}

/** The ExportLedger on the ledger's own connection; every write is one IMMEDIATE transaction. */
export class SqliteExportLedger implements ExportLedger {
  private readonly st: ReturnType<typeof prepareExportStatements>;

  private stream: { db: Database.Database; chunk: ReturnType<typeof prepareChunk> } | undefined;

  /** `openReader`: a read-only connection to the same ledger, for the chunks of an export (closed by endStream) */
  constructor(
    private readonly db: Database.Database,
    private readonly guard: Guard,
    private readonly openReader: () => Database.Database,
  ) {
    this.st = prepareExportStatements(db);
  }

  maxSeq(): number {
    return this.guard('maxSeq', () => this.st.maxSeq.get()?.m ?? 0, true);
  }

  watermark(platformId: string): number {
    return this.guard('exportWatermark', () => this.st.watermark.get(platformId)?.seq ?? 0, true);
  }

  queue(uptoSeq = Number.MAX_SAFE_INTEGER): { platformId: string; count: number }[] {
    return this.guard(
      'exportQueue',
      () => {
        const out: { platformId: string; count: number }[] = [];
        // a skip-scan over the partial index: one probe per platform, not one per row
        for (let p = this.st.nextPlatform.get(''); p !== undefined; p = this.st.nextPlatform.get(p.platformId)) {
          const count = this.st.countQueued.get({ platformId: p.platformId, upto: uptoSeq })?.n ?? 0;
          if (count > 0) out.push({ platformId: p.platformId, count });
        }
        return out;
      },
      true,
    );
  }

  openBatch(platformId: string): ExportBatch | undefined {
    const row = this.guard('openBatch', () => this.st.open.get(platformId), true);
    return row === undefined ? undefined : toBatch(row);
  }

  lastBatch(platformId: string, terminalId: string): ExportBatch | undefined {
    const row = this.guard('lastBatch', () => this.st.last.get(platformId, terminalId), true);
    return row === undefined ? undefined : toBatch(row);
  }

  prepare(p: { platformId: string; terminalId: string; maxRecords: number; createdAt: number; uptoSeq?: number }): ExportBatch | undefined {
    const tx = this.db.transaction((): number | undefined => {
      if (this.st.open.get(p.platformId) !== undefined) throw new Error(`platform ${p.platformId} already has a batch not exported`);
      const uptoSeq = Math.min(p.uptoSeq ?? Number.MAX_SAFE_INTEGER, this.st.maxSeq.get()?.m ?? 0);
      if (this.st.anyQueued.get(p.platformId, p.platformId, uptoSeq) === undefined) return undefined;
      const last = this.st.last.get(p.platformId, p.terminalId);
      const info = this.st.insert.run({
        platformId: p.platformId,
        terminalId: p.terminalId,
        maxRecords: p.maxRecords,
        createdAt: p.createdAt,
        sequence: (last?.sequence ?? 0) + 1,
        uptoSeq,
        previousSha256: last?.manifestSha256 ?? null,
      });
      return Number(info.lastInsertRowid);
    });
    const id = this.guard('prepareBatch', () => tx.immediate());
    return id === undefined ? undefined : this.byId(id);
  }

  records(batch: ExportBatch, afterSeq: number, limit: number): ExportRow[] {
    const upto = batch.signed?.lastSeq ?? batch.uptoSeq;
    return this.guard('batchRecords', () => {
      const from = Math.max(afterSeq, this.st.watermark.get(batch.platformId)?.seq ?? 0);
      return (this.st.records.all(batch.platformId, from, upto, limit) as RawRecord[]).map(toRow);
    }, true);
  }

  chunk(batch: ExportBatch, afterSeq: number, limit: number): ExportChunk | undefined {
    const upto = batch.signed?.lastSeq ?? batch.uptoSeq;
    const [lastSeq, firstAt, lastAt, count, firstN, lastN, bytes] = this.guard('batchChunk', () => {
      const mark = this.st.watermark.get(batch.platformId)?.seq ?? 0;
      const from = Math.max(afterSeq, mark);
      const st = this.reader();
      return st.ahead.get({ platformId: batch.platformId, mark, from, upto, limit }) ?? st.now.get({ platformId: batch.platformId, from, upto, limit })!;
    }, true);
    if (count === 0 || lastSeq === null || firstAt === null || lastAt === null || firstN === null || lastN === null || bytes === null) return undefined;
    // the trigger keeps pseqs without gaps; a ledger edited by hand could still have them, and its numbers would lie
    if (lastN - firstN + 1 !== count) throw new Error(`outbox of ${batch.platformId}: ${count} entries after seq ${afterSeq} are numbered ${firstN}..${lastN}`);
    return { count, lastSeq, firstAt, lastAt, firstN, bytes };
  }

  chunkAhead(p: { records: number; maxBatchRecords: number; platform?: (platformId: string) => boolean }): number {
    const tx = this.db.transaction((): number => {
      const dropped = this.st.dropStaleChunks.run().changes;
      if (dropped > 0) return dropped;
      for (let q = this.st.nextPlatform.get(''); q !== undefined; q = this.st.nextPlatform.get(q.platformId)) {
        const platformId = q.platformId;
        if (p.platform !== undefined && !p.platform(platformId)) continue;
        const mark = this.st.watermark.get(platformId)?.seq ?? 0;
        const from = this.st.chunkedUpto.get(platformId, mark)?.s ?? mark;
        const n = this.st.entriesAround.get({ platformId, mark, from });
        // whole chunks, within the next batch: its later batches are numbered from a watermark not known yet
        if (n === undefined || n.after < p.records || n.before + p.records > p.maxBatchRecords) continue;
        return this.st.chunkAhead.run({ platformId, mark, from, upto: Number.MAX_SAFE_INTEGER, limit: p.records }).changes;
      }
      return 0;
    });
    return this.guard('chunkAhead', () => tx.immediate());
  }

  settle(): void {
    this.guard('settle', () => this.db.pragma('wal_checkpoint(PASSIVE)'));
  }

  leaseHolder(): ExportLease | undefined {
    const row = this.guard('exportLease', () => this.st.leaseHolder.get(), true);
    return row === undefined ? undefined : parseLease(row.value);
  }

  endStream(): void {
    const s = this.stream;
    this.stream = undefined;
    if (s?.db.open === true) s.db.close();
  }

  private reader(): ReturnType<typeof prepareChunk> {
    if (this.stream === undefined) {
      const db = this.openReader();
      try {
        this.stream = { db, chunk: prepareChunk(db) };
      } catch (err) {
        db.close();
        throw err;
      }
    }
    return this.stream.chunk;
  }

  sign(batchId: number, facts: SignedBatchFacts): ExportBatch {
    const params = { ...facts, manifest: Buffer.from(facts.manifest), id: batchId };
    const changed = this.guard('signBatch', () => this.db.transaction(() => this.st.sign.run(params).changes).immediate());
    if (changed !== 1) throw new Error(`export batch ${batchId} is not in state 'prepared'`);
    return this.byId(batchId);
  }

  commit(batchId: number, at: number): ExportBatch {
    const tx = this.db.transaction((): number => {
      const b = this.st.byId.get(batchId);
      if (b === undefined || b.lastSeq === null || this.st.commit.run(at, batchId).changes !== 1) return 0;
      this.st.mark.run(b.platformId, b.lastSeq);
      return 1;
    });
    const changed = this.guard('commitBatch', () => tx.immediate());
    if (changed !== 1) throw new Error(`export batch ${batchId} is not in state 'signed'`);
    return this.byId(batchId);
  }

  abandon(batchId: number): void {
    this.guard('abandonBatch', () => this.db.transaction(() => this.st.abandon.run(batchId)).immediate());
  }

  batches(platformId?: string): ExportBatch[] {
    const rows = this.guard('exportBatches', () => (platformId === undefined ? this.st.all.all() : this.st.ofPlatform.all(platformId)), true);
    return rows.map(toBatch);
  }

  acquireLease(lease: ExportLease, stale: (holder: ExportLease) => boolean): { ok: true } | { ok: false; holder: ExportLease } {
    const tx = this.db.transaction((): ExportLease | undefined => {
      const row = this.st.getLease.get(LEASE_KEY);
      const holder = row === undefined ? undefined : parseLease(row.value);
      if (holder !== undefined && holder.owner !== lease.owner && !stale(holder)) return holder;
      this.st.setLease.run(LEASE_KEY, JSON.stringify(lease));
      return undefined;
    });
    const holder = this.guard('exportLease', () => tx.immediate());
    return holder === undefined ? { ok: true } : { ok: false, holder };
  }

  releaseLease(owner: string): void {
    const tx = this.db.transaction(() => {
      const row = this.st.getLease.get(LEASE_KEY);
      if (row !== undefined && parseLease(row.value)?.owner === owner) this.st.dropLease.run(LEASE_KEY);
    });
    this.guard('exportLease', () => tx.immediate());
  }

  private byId(id: number): ExportBatch {
    const row = this.guard('exportBatch', () => this.st.byId.get(id), true);
    if (row === undefined) throw new Error(`export batch ${id} vanished`);
    return toBatch(row);
  }
}

/** A lease row that does not parse is treated as absent: it can only have been a torn hand edit. */
function parseLease(text: string): ExportLease | undefined {
  try {
    const v = JSON.parse(text) as Partial<ExportLease>;
    return typeof v.owner === 'string' && typeof v.pid === 'number' && typeof v.at === 'number' ? { owner: v.owner, pid: v.pid, at: v.at } : undefined;
  } catch {
    return undefined;
  }
}
