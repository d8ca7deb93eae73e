import type Database from 'better-sqlite3';
import { batchLabel, type ExportBatch, type ExportLease, type ExportLedger, type ExportRow, type SignedBatchFacts } from './export-types.js';

/** Runs a ledger operation, turning SQLite errors into LedgerErrors (the ledger's own guard). */
export type Guard = <T>(op: string, fn: () => T, read?: boolean) => T;

interface BatchRow {
  id: number;
  platformId: string;
  terminalId: string;
  sequence: number;
  state: ExportBatch['state'];
  uptoId: number;
  maxRecords: number;
  createdAt: number;
  previousSha256: string | null;
  count: number | null;
  firstAt: number | null;
  lastAt: number | null;
  lastId: number | null;
  dataSha256: string | null;
  dataBytes: number | null;
  manifest: Buffer | null;
  manifestSha256: string | null;
  exportedAt: number | null;
  marked: number;
}

const BATCH = `SELECT id, platform_id AS platformId, terminal_id AS terminalId, sequence, state, upto_id AS uptoId,
  max_records AS maxRecords, created_at AS createdAt, previous_sha256 AS previousSha256, count, first_at AS firstAt,
  last_at AS lastAt, last_id AS lastId, data_sha256 AS dataSha256, data_bytes AS dataBytes, manifest,
  manifest_sha256 AS manifestSha256, exported_at AS exportedAt, marked FROM export_batches`;

const LEASE_KEY = 'export_lease';

function prepareExportStatements(db: Database.Database) {
  return {
    nextPlatform: db.prepare<[string], { platformId: string }>(
      `SELECT platform_id AS platformId FROM redemptions WHERE exported_at IS NULL AND platform_id > ? ORDER BY platform_id LIMIT 1`,
    ),
    countQueued: db.prepare<[string, number], { n: number }>(
      `SELECT count(*) AS n FROM redemptions WHERE platform_id = ? AND exported_at IS NULL AND id <= ?`,
    ),
    anyQueued: db.prepare<[string, number], { one: number }>(
      `SELECT 1 AS one FROM redemptions WHERE platform_id = ? AND exported_at IS NULL AND id <= ? LIMIT 1`,
    ),
    maxId: db.prepare<[], { m: number | null }>(`SELECT max(id) AS m FROM redemptions`),
    byId: db.prepare<[number], BatchRow>(`${BATCH} WHERE id = ?`),
    open: db.prepare<[string], BatchRow>(`${BATCH} WHERE platform_id = ? AND state <> 'exported'`),
    last: db.prepare<[string, string], BatchRow>(`${BATCH} WHERE platform_id = ? AND terminal_id = ? ORDER BY sequence DESC LIMIT 1`),
    all: db.prepare<[], BatchRow>(`${BATCH} ORDER BY id`),
    ofPlatform: db.prepare<[string], BatchRow>(`${BATCH} WHERE platform_id = ? ORDER BY id`),
    unmarked: db.prepare<[], BatchRow>(`${BATCH} WHERE marked = 0 AND state = 'exported' ORDER BY id`),
    insert: db.prepare<[Record<string, unknown>]>(
      `INSERT INTO export_batches (platform_id, terminal_id, sequence, state, upto_id, max_records, created_at, previous_sha256)
       VALUES (@platformId, @terminalId, @sequence, 'prepared', @uptoId, @maxRecords, @createdAt, @previousSha256)`,
    ),
    sign: db.prepare<[Record<string, unknown>]>(
      `UPDATE export_batches SET state = 'signed', count = @count, first_at = @firstAt, last_at = @lastAt, last_id = @lastId,
         data_sha256 = @dataSha256, data_bytes = @dataBytes, manifest = @manifest, manifest_sha256 = @manifestSha256
       WHERE id = @id AND state = 'prepared'`,
    ),
    commit: db.prepare<[number, number]>(`UPDATE export_batches SET state = 'exported', exported_at = ? WHERE id = ? AND state = 'signed'`),
    records: db.prepare<[string, number, number, number], ExportRow>(
      `SELECT id, platform_id AS platformId, cti_hex AS ctiHex, serial, product, quantity, consumer, merchant_id AS merchantId,
         at, terminal_id AS terminalId
       FROM redemptions WHERE platform_id = ? AND exported_at IS NULL AND id > ? AND id <= ? ORDER BY id LIMIT ?`,
    ),
    markRows: db.prepare<[number, string, string, number, number]>(
      `UPDATE redemptions SET exported_at = ?, export_batch = ? WHERE id IN
         (SELECT id FROM redemptions WHERE platform_id = ? AND exported_at IS NULL AND id <= ? ORDER BY id LIMIT ?)`,
    ),
    setMarked: db.prepare<[number]>(`UPDATE export_batches SET marked = 1 WHERE id = ?`),
    abandon: db.prepare<[number]>(`DELETE FROM export_batches WHERE id = ? AND state = 'prepared'`),
    getLease: db.prepare<[string], { value: string }>(`SELECT value FROM meta WHERE key = ?`),
    setLease: db.prepare<[string, string]>(
      `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ),
    dropLease: db.prepare<[string]>(`DELETE FROM meta WHERE key = ?`),
  };
}

function toBatch(r: BatchRow): ExportBatch {
  const signed: SignedBatchFacts | null =
    r.manifest === null || r.manifestSha256 === null || r.count === null || r.lastId === null
      ? null
      : {
          count: r.count,
          firstAt: r.firstAt ?? 0,
          lastAt: r.lastAt ?? 0,
          lastId: r.lastId,
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
    uptoId: r.uptoId,
    maxRecords: r.maxRecords,
    createdAt: r.createdAt,
    previousSha256: r.previousSha256,
    signed,
    exportedAt: r.exportedAt,
    marked: r.marked === 1,
  };
}

/** The ExportLedger on the ledger's own connection; every write is one IMMEDIATE transaction. */
export class SqliteExportLedger implements ExportLedger {
  private readonly st: ReturnType<typeof prepareExportStatements>;

  constructor(
    private readonly db: Database.Database,
    private readonly guard: Guard,
  ) {
    this.st = prepareExportStatements(db);
  }

  maxRedemptionId(): number {
    return this.guard('maxRedemptionId', () => this.st.maxId.get()?.m ?? 0, true);
  }

  queue(uptoId = Number.MAX_SAFE_INTEGER): { platformId: string; count: number }[] {
    return this.guard(
      'exportQueue',
      () => {
        const out: { platformId: string; count: number }[] = [];
        // a skip-scan over the partial index: one probe per platform, not one per row
        for (let p = this.st.nextPlatform.get(''); p !== undefined; p = this.st.nextPlatform.get(p.platformId)) {
          const count = this.st.countQueued.get(p.platformId, uptoId)?.n ?? 0;
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

  prepare(p: { platformId: string; terminalId: string; maxRecords: number; createdAt: number; uptoId?: number }): ExportBatch | undefined {
    const tx = this.db.transaction((): number | undefined => {
      if (this.st.open.get(p.platformId) !== undefined) throw new Error(`platform ${p.platformId} already has a batch not exported`);
      const uptoId = Math.min(p.uptoId ?? Number.MAX_SAFE_INTEGER, this.st.maxId.get()?.m ?? 0);
      if (this.st.anyQueued.get(p.platformId, uptoId) === undefined) return undefined;
      const last = this.st.last.get(p.platformId, p.terminalId);
      const info = this.st.insert.run({
        platformId: p.platformId,
        terminalId: p.terminalId,
        maxRecords: p.maxRecords,
        createdAt: p.createdAt,
        sequence: (last?.sequence ?? 0) + 1,
        uptoId,
        previousSha256: last?.manifestSha256 ?? null,
      });
      return Number(info.lastInsertRowid);
    });
    const id = this.guard('prepareBatch', () => tx.immediate());
    return id === undefined ? undefined : this.byId(id);
  }

  records(batch: ExportBatch, afterId: number, limit: number): ExportRow[] {
    const upto = batch.signed?.lastId ?? batch.uptoId;
    return this.guard('batchRecords', () => this.st.records.all(batch.platformId, afterId, upto, limit), true);
  }

  sign(batchId: number, facts: SignedBatchFacts): ExportBatch {
    const params = { ...facts, manifest: Buffer.from(facts.manifest), id: batchId };
    const changed = this.guard('signBatch', () => this.db.transaction(() => this.st.sign.run(params).changes).immediate());
    if (changed !== 1) throw new Error(`export batch ${batchId} is not in state 'prepared'`);
    return this.byId(batchId);
  }

  commit(batchId: number, at: number): ExportBatch {
    const changed = this.guard('commitBatch', () => this.db.transaction(() => this.st.commit.run(at, batchId).changes).immediate());
    if (changed !== 1) throw new Error(`export batch ${batchId} is not in state 'signed'`);
    return this.byId(batchId);
  }

  markRows(batchId: number, limit: number): number {
    const tx = this.db.transaction((): number => {
      const b = this.st.byId.get(batchId);
      if (b === undefined || b.state !== 'exported' || b.lastId === null || b.exportedAt === null) {
        throw new Error(`export batch ${batchId} is not exported`);
      }
      if (b.marked === 1) return 0;
      const n = this.st.markRows.run(b.exportedAt, batchLabel(b), b.platformId, b.lastId, limit).changes;
      if (n < limit) this.st.setMarked.run(batchId);
      return n;
    });
    return this.guard('markExported', () => tx.immediate());
  }

  unmarked(): ExportBatch[] {
    return this.guard('unmarkedBatches', () => this.st.unmarked.all(), true).map(toBatch);
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

  checkpoint(): void {
    this.guard('checkpoint', () => this.db.pragma('wal_checkpoint(PASSIVE)'));
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
