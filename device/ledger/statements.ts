import type Database from 'better-sqlite3';
import type { Redemption, RedemptionInput, ScanRecord } from './types.js';

/** A redemptions row as selected below: camelCase aliases, NULL where SQLite has none. */
export interface RedemptionRow extends Omit<Redemption, 'title'> {
  title: string | null;
}

interface ScanRow {
  at: number;
  reason: string;
  textHash: string;
  platformId: string | null;
  ctiHex: string | null;
  serial: string | null;
  latencyMs: number | null;
}

interface CountsRow {
  redemptions: number;
  pendingUpload: number;
  notExported: number;
  scans: number;
  revocations: number;
}

export const REDEMPTION_SELECT = `SELECT id, platform_id AS platformId, cti_hex AS ctiHex, serial, product, quantity, title,
  merchant_id AS merchantId, consumer, iat, exp, at, terminal_id AS terminalId, text_hash AS textHash,
  uploaded_at AS uploadedAt, exported_at AS exportedAt FROM redemptions`;

export const TRUSTED_TIME_KEY = 'trusted_time';
export const TRUSTED_SOURCE_KEY = 'trusted_time_source';
/** JSON of the last technician reset: {at, from, to, by} */
export const TRUSTED_RESET_KEY = 'trusted_time_reset';

/** Every statement the ledger runs, prepared once per connection. */
export function prepareStatements(db: Database.Database) {
  return {
    insert: db.prepare<[Record<string, unknown>]>(
      `INSERT INTO redemptions (platform_id, cti_hex, serial, product, quantity, title, merchant_id, consumer,
         iat, exp, at, terminal_id, text_hash)
       VALUES (@platformId, @ctiHex, @serial, @product, @quantity, @title, @merchantId, @consumer,
         @iat, @exp, @at, @terminalId, @textHash)
       ON CONFLICT (platform_id, cti_hex) DO NOTHING`,
    ),
    find: db.prepare<[string, string], RedemptionRow>(`${REDEMPTION_SELECT} WHERE platform_id = ? AND cti_hex = ?`),
    list: db.prepare<[number, number], RedemptionRow>(`${REDEMPTION_SELECT} ORDER BY id DESC LIMIT ? OFFSET ?`),
    pendingUploads: db.prepare<[number], RedemptionRow>(`${REDEMPTION_SELECT} WHERE uploaded_at IS NULL ORDER BY id LIMIT ?`),
    notExported: db.prepare<[number], RedemptionRow>(`${REDEMPTION_SELECT} WHERE exported_at IS NULL ORDER BY id LIMIT ?`),
    markUploaded: db.prepare<[number, number]>(`UPDATE redemptions SET uploaded_at = ? WHERE id = ? AND uploaded_at IS NULL`),
    markExported: db.prepare<[number, string, number]>(
      `UPDATE redemptions SET exported_at = ?, export_batch = ? WHERE id = ? AND exported_at IS NULL`,
    ),
    isRevoked: db.prepare<[string, string], { one: number }>(
      `SELECT 1 AS one FROM revocations WHERE platform_id = ? AND cti_hex = ?`,
    ),
    addRevocation: db.prepare<[string, string, number]>(
      `INSERT INTO revocations (platform_id, cti_hex, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
    ),
    logScan: db.prepare<[Record<string, unknown>]>(
      `INSERT INTO scans (at, reason, text_hash, platform_id, cti_hex, serial, latency_ms)
       VALUES (@at, @reason, @textHash, @platformId, @ctiHex, @serial, @latencyMs)`,
    ),
    lastScan: db.prepare<[], ScanRow>(
      `SELECT at, reason, text_hash AS textHash, platform_id AS platformId, cti_hex AS ctiHex, serial,
         latency_ms AS latencyMs FROM scans ORDER BY id DESC LIMIT 1`,
    ),
    // The audit log only ever loses its oldest rows, so a rowid range is the whole prune.
    pruneScans: db.prepare<[number]>(`DELETE FROM scans WHERE id <= (SELECT max(id) FROM scans) - ?`),
    getMeta: db.prepare<[string], { value: unknown }>(`SELECT value FROM meta WHERE key = ?`),
    setMeta: db.prepare<[string, unknown]>(
      `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    ),
    raiseMeta: db.prepare<[string, number]>(
      `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)`,
    ),
    probe: db.prepare(`INSERT INTO meta (key, value) VALUES ('probes', 1) ON CONFLICT (key) DO UPDATE SET value = value + 1`),
    backlog: db.prepare<[string], { notUploaded: number | null; notExported: number | null; unsent: number | null }>(
      `SELECT sum(uploaded_at IS NULL) AS notUploaded, sum(exported_at IS NULL) AS notExported,
         sum(uploaded_at IS NULL AND exported_at IS NULL) AS unsent FROM redemptions WHERE platform_id = ?`,
    ),
    counts: db.prepare<[], CountsRow>(
      `SELECT redemptions, pending_upload AS pendingUpload, not_exported AS notExported, scans, revocations
       FROM tally WHERE id = 1`,
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

/** Named parameters for `insert`: explicit, so stray properties of the input never reach SQL. */
export function redemptionParams(r: RedemptionInput): Record<string, unknown> {
  return {
    platformId: r.platformId,
    ctiHex: r.ctiHex,
    serial: r.serial,
    product: r.product,
    quantity: r.quantity,
    title: r.title ?? null,
    merchantId: r.merchantId,
    consumer: r.consumer,
    iat: r.iat,
    exp: r.exp,
    at: r.at,
    terminalId: r.terminalId,
    textHash: r.textHash,
  };
}

export function scanParams(s: ScanRecord): Record<string, unknown> {
  return {
    at: s.at,
    reason: s.reason,
    textHash: s.textHash,
    platformId: s.platformId ?? null,
    ctiHex: s.ctiHex ?? null,
    serial: s.serial ?? null,
    latencyMs: s.latencyMs ?? null,
  };
}

export function toRedemption(row: RedemptionRow): Redemption {
  const { title, ...rest } = row;
  return title === null ? rest : { ...rest, title };
}

export function toScan(row: ScanRow): ScanRecord {
  const scan: ScanRecord = { at: row.at, reason: row.reason, textHash: row.textHash };
  if (row.platformId !== null) scan.platformId = row.platformId;
  if (row.ctiHex !== null) scan.ctiHex = row.ctiHex;
  if (row.serial !== null) scan.serial = row.serial;
  if (row.latencyMs !== null) scan.latencyMs = row.latencyMs;
  return scan;
}
