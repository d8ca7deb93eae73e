import type Database from 'better-sqlite3';
import { NEXT_PSEQ, recordSql } from './batch-record.js';
import type { LedgerCounts, OutboxKind, Redemption, RedemptionInput, ScanRecord } from './types.js';

/** A redemptions row as selected below: camelCase aliases, NULL where SQLite has none, 0/1 for booleans. */
export interface RedemptionRow extends Omit<Redemption, 'title' | 'offline' | 'exported'> {
  title: string | null;
  offline: number;
  exported: number | null;
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

type CountsRow = LedgerCounts;

/** A redemption with its redeem entry's upload state and whether that entry is below the export watermark. */
export const REDEMPTION_SELECT = `SELECT r.id, r.platform_id AS platformId, r.cti_hex AS ctiHex, r.serial, r.product, r.quantity, r.title,
  r.merchant_id AS merchantId, r.consumer, r.iat, r.exp, r.at, r.terminal_id AS terminalId, r.text_hash AS textHash,
  r.offline, r.claim, r.reversed_at AS reversedAt, r.reversed_by AS reversedBy,
  o.state AS upload, o.result AS uploadResult, CASE WHEN o.state IN ('sent', 'rejected') THEN o.answered_at END AS uploadedAt,
  o.seq <= coalesce((SELECT m.seq FROM export_marks m WHERE m.platform_id = r.platform_id), 0) AS exported
  FROM redemptions r LEFT JOIN outbox o ON o.redemption_id = r.id AND o.kind = 'redeem'`;

export const TRUSTED_TIME_KEY = 'trusted_time';
export const TRUSTED_SOURCE_KEY = 'trusted_time_source';
/** JSON of the last technician reset: {at, from, to, by} */
export const TRUSTED_RESET_KEY = 'trusted_time_reset';

/** Every statement the ledger runs, prepared once per connection. */
export function prepareStatements(db: Database.Database) {
  return {
    // a live redemption of the coupon is in the way: nothing happens (the partial unique index decides)
    insert: db.prepare<[Record<string, unknown>]>(
      `INSERT INTO redemptions (platform_id, cti_hex, serial, product, quantity, title, merchant_id, consumer,
         iat, exp, at, terminal_id, text_hash, offline, claim, reversed_at, reversed_by)
       VALUES (@platformId, @ctiHex, @serial, @product, @quantity, @title, @merchantId, @consumer,
         @iat, @exp, @at, @terminalId, @textHash, @offline, @claim, @reversedAt, @reversedBy)
       ON CONFLICT DO NOTHING`,
    ),
    // the entry with its place among its platform's entries and its batch record (ledger v4, batch-record.ts)
    append: db.prepare<[{ kind: OutboxKind; redemptionId: number; at: number }]>(
      `INSERT INTO outbox (kind, redemption_id, platform_id, at, pseq, record)
       SELECT @kind, r.id, r.platform_id, @at, ${NEXT_PSEQ('r.platform_id')}, ${recordSql('@kind', '@at')}
       FROM redemptions r WHERE r.id = @redemptionId`,
    ),
    reverse: db.prepare<[number, number]>(`UPDATE redemptions SET reversed_at = ?, reversed_by = 'cashier' WHERE id = ? AND reversed_at IS NULL`),
    find: db.prepare<[string, string], RedemptionRow>(`${REDEMPTION_SELECT} WHERE r.platform_id = ? AND r.cti_hex = ? AND r.reversed_at IS NULL`),
    byId: db.prepare<[number], RedemptionRow>(`${REDEMPTION_SELECT} WHERE r.id = ?`),
    bySerial: db.prepare<[string], RedemptionRow>(`${REDEMPTION_SELECT} WHERE r.serial = ? ORDER BY r.id DESC`),
    list: db.prepare<[number, number], RedemptionRow>(`${REDEMPTION_SELECT} ORDER BY r.id DESC LIMIT ? OFFSET ?`),
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
    backlog: db.prepare<[string, string], { notUploaded: number | null; notExported: number | null; unsent: number | null }>(
      `SELECT sum(o.state IN ('pending', 'held')) AS notUploaded, sum(o.seq > w.mark) AS notExported,
         sum(o.state IN ('pending', 'held') AND o.seq > w.mark) AS unsent
       FROM outbox o, (SELECT coalesce((SELECT m.seq FROM export_marks m WHERE m.platform_id = ?), 0) AS mark) w
       WHERE o.platform_id = ?`,
    ),
    counts: db.prepare<[], CountsRow>(
      `SELECT redemptions, pending_upload AS pendingUpload, not_exported AS notExported, scans, revocations,
         rejected, reversals, conflicts
       FROM tally WHERE id = 1`,
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;

/** Named parameters for `insert`: explicit, so stray properties of the input never reach SQL. `reversedAt`: a row born reversed (a released claim). */
export function redemptionParams(r: RedemptionInput, reversedAt: number | null = null): Record<string, unknown> {
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
    offline: r.offline === false ? 0 : 1,
    claim: r.claim ?? 'none',
    reversedAt,
    reversedBy: reversedAt === null ? null : 'release',
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
  const { title, offline, exported, ...rest } = row;
  const r: Redemption = { ...rest, offline: offline === 1, exported: exported === 1 };
  if (title !== null) r.title = title;
  return r;
}

export function toScan(row: ScanRow): ScanRecord {
  const scan: ScanRecord = { at: row.at, reason: row.reason, textHash: row.textHash };
  if (row.platformId !== null) scan.platformId = row.platformId;
  if (row.ctiHex !== null) scan.ctiHex = row.ctiHex;
  if (row.serial !== null) scan.serial = row.serial;
  if (row.latencyMs !== null) scan.latencyMs = row.latencyMs;
  return scan;
}
