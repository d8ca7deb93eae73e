import type Database from 'better-sqlite3';
import type { Logger } from '../logger.js';
import { ledgerError } from './errors.js';
import { V3 } from './migration-v3.js';
import { V4 } from './migration-v4.js';
import { V5 } from './migration-v5.js';

/**
 * Versioned schema, one step per version, tracked in `PRAGMA user_version`.
 * Never edit a released step: add a new one. Each step runs in its own
 * immediate transaction, so a crash leaves the ledger at the previous version.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/*
 * Why columns and not an outbox table: the outbox and export markers live on
 * the redemption row itself (NULL = pending), so the redemption and its
 * bookkeeping are one INSERT in one transaction. Partial indexes keep the
 * pending sets cheap to walk; `tally` holds counters maintained by triggers in
 * the same transactions, so counts() never scans a million rows.
 */
/** Uniqueness is on the text: 'AB' and 'ab' must never be two coupons, so only one spelling is stored. */
const LOWER_HEX = `length(cti_hex) > 0 AND length(cti_hex) % 2 = 0 AND cti_hex NOT GLOB '*[^0-9a-f]*'`;

const V1 = `
CREATE TABLE redemptions (
  id INTEGER PRIMARY KEY,
  platform_id TEXT NOT NULL,
  cti_hex TEXT NOT NULL CHECK (${LOWER_HEX}),
  serial TEXT NOT NULL,
  product TEXT NOT NULL,
  quantity INTEGER NOT NULL,
  title TEXT,
  merchant_id TEXT NOT NULL,
  consumer TEXT NOT NULL,
  iat INTEGER NOT NULL,
  exp INTEGER NOT NULL,
  at INTEGER NOT NULL,
  terminal_id TEXT NOT NULL,
  text_hash TEXT NOT NULL,
  uploaded_at INTEGER,
  exported_at INTEGER,
  export_batch TEXT,
  UNIQUE (platform_id, cti_hex)
) STRICT;
CREATE INDEX redemptions_pending_upload ON redemptions (id) WHERE uploaded_at IS NULL;
CREATE INDEX redemptions_not_exported ON redemptions (id) WHERE exported_at IS NULL;

CREATE TABLE scans (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  reason TEXT NOT NULL,
  text_hash TEXT NOT NULL,
  platform_id TEXT,
  cti_hex TEXT,
  serial TEXT,
  latency_ms REAL
) STRICT;

CREATE TABLE revocations (
  platform_id TEXT NOT NULL,
  cti_hex TEXT NOT NULL CHECK (${LOWER_HEX}),
  at INTEGER NOT NULL,
  PRIMARY KEY (platform_id, cti_hex)
) STRICT, WITHOUT ROWID;

CREATE TABLE meta (key TEXT PRIMARY KEY, value ANY) STRICT;

CREATE TABLE tally (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  redemptions INTEGER NOT NULL,
  pending_upload INTEGER NOT NULL,
  not_exported INTEGER NOT NULL,
  scans INTEGER NOT NULL,
  revocations INTEGER NOT NULL
) STRICT;
INSERT INTO tally VALUES (1, 0, 0, 0, 0, 0);

CREATE TRIGGER redemptions_tally_insert AFTER INSERT ON redemptions BEGIN
  UPDATE tally SET redemptions = redemptions + 1,
    pending_upload = pending_upload + (NEW.uploaded_at IS NULL),
    not_exported = not_exported + (NEW.exported_at IS NULL)
  WHERE id = 1;
END;
CREATE TRIGGER redemptions_tally_update AFTER UPDATE OF uploaded_at, exported_at ON redemptions BEGIN
  UPDATE tally SET
    pending_upload = pending_upload + (NEW.uploaded_at IS NULL) - (OLD.uploaded_at IS NULL),
    not_exported = not_exported + (NEW.exported_at IS NULL) - (OLD.exported_at IS NULL)
  WHERE id = 1;
END;
CREATE TRIGGER redemptions_tally_delete AFTER DELETE ON redemptions BEGIN
  UPDATE tally SET redemptions = redemptions - 1,
    pending_upload = pending_upload - (OLD.uploaded_at IS NULL),
    not_exported = not_exported - (OLD.exported_at IS NULL)
  WHERE id = 1;
END;
CREATE TRIGGER scans_tally_insert AFTER INSERT ON scans BEGIN
  UPDATE tally SET scans = scans + 1 WHERE id = 1;
END;
CREATE TRIGGER scans_tally_delete AFTER DELETE ON scans BEGIN
  UPDATE tally SET scans = scans - 1 WHERE id = 1;
END;
CREATE TRIGGER revocations_tally_insert AFTER INSERT ON revocations BEGIN
  UPDATE tally SET revocations = revocations + 1 WHERE id = 1;
END;
CREATE TRIGGER revocations_tally_delete AFTER DELETE ON revocations BEGIN
  UPDATE tally SET revocations = revocations - 1 WHERE id = 1;
END;
`;

/*
 * USB export batches (issue 10). A batch is one signed manifest and one data
 * file for one platform, numbered per (platform, enrolled terminal) so that
 * the batches of a terminal form a chain. Its record set is fixed when it is
 * prepared: that platform's redemptions not exported, id <= upto_id, in id
 * order, at most max_records. Only the exporter sets exported_at, one export
 * at a time, so the set stays the same until the batch is exported and can be
 * written again, byte for byte, after a crash.
 *
 * state: 'prepared' (nothing under a final name on any stick yet; may be
 * abandoned), 'signed' (manifest kept here before any final rename, so every
 * copy is identical), 'exported' (read back from a stick: the commit point).
 * The rows' exported_at/export_batch are then set in bounded chunks (one
 * transaction for 100,000 rows holds the event loop for ~0.4 s); `marked`
 * says the chunks are done, and an export finishes any unmarked batch first.
 */
const V2 = `
CREATE TABLE export_batches (
  id INTEGER PRIMARY KEY,
  platform_id TEXT NOT NULL,
  terminal_id TEXT NOT NULL,
  sequence INTEGER NOT NULL CHECK (sequence >= 1),
  state TEXT NOT NULL CHECK (state IN ('prepared', 'signed', 'exported')),
  upto_id INTEGER NOT NULL,
  max_records INTEGER NOT NULL CHECK (max_records >= 1),
  created_at INTEGER NOT NULL,
  previous_sha256 TEXT,
  count INTEGER,
  first_at INTEGER,
  last_at INTEGER,
  last_id INTEGER,
  data_sha256 TEXT,
  data_bytes INTEGER,
  manifest BLOB,
  manifest_sha256 TEXT,
  exported_at INTEGER,
  marked INTEGER NOT NULL DEFAULT 0,
  UNIQUE (platform_id, terminal_id, sequence),
  CHECK (state = 'prepared' OR (manifest IS NOT NULL AND manifest_sha256 IS NOT NULL AND count IS NOT NULL AND last_id IS NOT NULL)),
  CHECK (state <> 'exported' OR exported_at IS NOT NULL)
) STRICT;
-- at most one unfinished batch per platform: two would claim the same redemptions
CREATE UNIQUE INDEX export_batches_one_open ON export_batches (platform_id) WHERE state <> 'exported';
CREATE INDEX export_batches_unmarked ON export_batches (id) WHERE marked = 0 AND state = 'exported';
-- the export queue per platform, walked in id order
CREATE INDEX redemptions_export_queue ON redemptions (platform_id, id) WHERE exported_at IS NULL;
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'initial schema', sql: V1 },
  { version: 2, description: 'USB export batches', sql: V2 },
  { version: 3, description: 'the outbox log, reversals, claims, export watermarks, sync state, conflicts', sql: V3 },
  { version: 4, description: 'each outbox entry keeps its batch record and its place in its platform', sql: V4 },
  { version: 5, description: 'chunks of the next export made ahead in idle time', sql: V5 },
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersion(db: Database.Database): number {
  return Number(db.pragma('user_version', { simple: true }));
}

function refuseTooNew(version: number, path: string): void {
  if (version > SCHEMA_VERSION) {
    throw ledgerError(
      'LEDGER_SCHEMA_TOO_NEW',
      path,
      `schema version ${version} is newer than this software understands (${SCHEMA_VERSION})`,
    );
  }
}

/** Brings the ledger up to SCHEMA_VERSION; returns the version found before. */
export function migrate(db: Database.Database, path: string, logger: Logger): number {
  const found = schemaVersion(db);
  refuseTooNew(found, path);
  for (const m of MIGRATIONS) {
    if (m.version <= found) continue;
    const step = db.transaction(() => {
      // Another process may have migrated while we waited for the write lock.
      const now = schemaVersion(db);
      refuseTooNew(now, path);
      if (now >= m.version) return false;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
      return true;
    });
    if (step.immediate()) logger.info({ version: m.version, description: m.description }, 'ledger schema migrated');
  }
  return found;
}

/** A read-only connection cannot migrate: it needs exactly the current schema. */
export function requireCurrentSchema(db: Database.Database, path: string): void {
  const found = schemaVersion(db);
  refuseTooNew(found, path);
  if (found < SCHEMA_VERSION) {
    throw ledgerError(
      'LEDGER_OPEN_FAILED',
      path,
      `schema version ${found} is older than ${SCHEMA_VERSION} and a read-only open cannot migrate it; start the kiosk once to migrate`,
    );
  }
}
