/**
 * Ledger version 3 (issue 9): the outbox is one ordered, append-only log.
 *
 * - `redemptions` is rebuilt without its UNIQUE (platform_id, cti_hex): a
 *   reversal frees the coupon, so uniqueness holds over live redemptions only
 *   (a partial unique index). Every row is kept with its id; the upload and
 *   export markers move to the outbox. A redemption carries whether it was
 *   accepted offline and what became of its online claim.
 * - `outbox`: every event the platform must learn, in commit order (`seq`):
 *   `redeem` (written with the redemption, in its transaction) and `reverse`
 *   (a compensating entry: a cashier's reversal, or the release of a claim
 *   whose answer never came). Never deleted, its facts never changed; only
 *   its upload state moves (pending → sent | rejected; `held`: a record the
 *   platform cannot read, kept pending and shown). Uploads walk it per
 *   platform in seq order; USB batches cover seq ranges of it.
 * - `export_marks`: per platform, the seq up to which everything is on a
 *   stick: marking a batch exported is one small update, whatever its size.
 * - `sync_state`: per platform, the revocation and conflict cursors and when
 *   the platform last answered.
 * - `conflicts`: the same coupon redeemed at two terminals, as the platform
 *   reported it (an upload answer, or a state answer's notice).
 *
 * v2 ledgers: their redemptions become `redeem` entries with seq = id (so a
 * v2 batch's upto_id/last_id are seqs as they stand), sent when uploaded_at
 * was set; a platform's watermark is the end of its exported prefix.
 */

const LOWER_HEX = `length(cti_hex) > 0 AND length(cti_hex) % 2 = 0 AND cti_hex NOT GLOB '*[^0-9a-f]*'`;

const REDEMPTION_COLUMNS = `platform_id, cti_hex, serial, product, quantity, title, merchant_id, consumer, iat, exp, at, terminal_id, text_hash`;

const REBUILD = `
CREATE TABLE redemptions_v3 (
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
  offline INTEGER NOT NULL CHECK (offline IN (0, 1)),
  claim TEXT NOT NULL CHECK (claim IN ('none', 'claimed', 'unanswered', 'released')),
  reversed_at INTEGER,
  reversed_by TEXT CHECK (reversed_by IN ('cashier', 'release')),
  CHECK ((reversed_at IS NULL) = (reversed_by IS NULL))
) STRICT;
-- v2 had no claims: every redemption was accepted offline
INSERT INTO redemptions_v3 (id, ${REDEMPTION_COLUMNS}, offline, claim)
  SELECT id, ${REDEMPTION_COLUMNS}, 1, 'none' FROM redemptions ORDER BY id;

CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('redeem', 'reverse')),
  redemption_id INTEGER NOT NULL REFERENCES redemptions_v3 (id),
  platform_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'held', 'sent', 'rejected')),
  result TEXT,
  detail TEXT,
  answered_at INTEGER,
  UNIQUE (redemption_id, kind)
) STRICT;
INSERT INTO outbox (seq, kind, redemption_id, platform_id, at, state, result, answered_at)
  SELECT id, 'redeem', id, platform_id, at,
         CASE WHEN uploaded_at IS NULL THEN 'pending' ELSE 'sent' END,
         CASE WHEN uploaded_at IS NULL THEN NULL ELSE 'recorded' END, uploaded_at
    FROM redemptions ORDER BY id;

CREATE TABLE export_marks (
  platform_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL CHECK (seq >= 0)
) STRICT, WITHOUT ROWID;
-- the end of each platform's exported prefix: everything of it below its first
-- row neither marked nor inside an exported batch (v2 marked in id order)
INSERT INTO export_marks (platform_id, seq)
  SELECT p.platform_id, coalesce(
      (SELECT min(r.id) FROM redemptions r WHERE r.platform_id = p.platform_id AND r.exported_at IS NULL
          AND r.id > coalesce((SELECT max(b.last_id) FROM export_batches b WHERE b.platform_id = p.platform_id AND b.state = 'exported'), 0)) - 1,
      (SELECT max(r.id) FROM redemptions r WHERE r.platform_id = p.platform_id))
    FROM (SELECT DISTINCT platform_id FROM redemptions) p;

DROP TABLE redemptions;
ALTER TABLE redemptions_v3 RENAME TO redemptions;
CREATE UNIQUE INDEX redemptions_live ON redemptions (platform_id, cti_hex) WHERE reversed_at IS NULL;
CREATE INDEX redemptions_serial ON redemptions (serial);

CREATE INDEX outbox_pending ON outbox (platform_id, seq) WHERE state = 'pending';
CREATE INDEX outbox_platform ON outbox (platform_id, seq);
CREATE INDEX outbox_attention ON outbox (platform_id, state, seq) WHERE state IN ('held', 'rejected');

DROP INDEX export_batches_unmarked;
ALTER TABLE export_batches DROP COLUMN marked;
ALTER TABLE export_batches RENAME COLUMN upto_id TO upto_seq;
ALTER TABLE export_batches RENAME COLUMN last_id TO last_seq;
`;

const SYNC_TABLES = `
CREATE TABLE sync_state (
  platform_id TEXT PRIMARY KEY,
  revocations_cursor INTEGER NOT NULL DEFAULT 0,
  revocations_at INTEGER,
  conflicts_cursor INTEGER NOT NULL DEFAULT 0,
  last_sync_at INTEGER,
  last_upload_at INTEGER,
  last_error_at INTEGER,
  last_error TEXT
) STRICT, WITHOUT ROWID;

CREATE TABLE conflicts (
  id INTEGER PRIMARY KEY,
  platform_id TEXT NOT NULL,
  cti_hex TEXT NOT NULL CHECK (${LOWER_HEX}),
  notice_seq INTEGER,
  side TEXT NOT NULL CHECK (side IN ('won', 'lost')),
  first TEXT NOT NULL,
  second TEXT NOT NULL,
  second_terminal TEXT NOT NULL,
  second_scanned_at INTEGER NOT NULL,
  seen_at INTEGER NOT NULL,
  UNIQUE (platform_id, cti_hex, second_terminal, second_scanned_at)
) STRICT;
CREATE UNIQUE INDEX conflicts_notice ON conflicts (platform_id, notice_seq) WHERE notice_seq IS NOT NULL;

ALTER TABLE revocations ADD COLUMN revoked_at INTEGER;
`;

const TALLY = `
ALTER TABLE tally ADD COLUMN rejected INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tally ADD COLUMN reversals INTEGER NOT NULL DEFAULT 0;
ALTER TABLE tally ADD COLUMN conflicts INTEGER NOT NULL DEFAULT 0;
UPDATE tally SET
  redemptions = (SELECT count(*) FROM redemptions),
  pending_upload = (SELECT count(*) FROM outbox WHERE state IN ('pending', 'held')),
  not_exported = (SELECT count(*) FROM outbox o WHERE o.seq > coalesce((SELECT m.seq FROM export_marks m WHERE m.platform_id = o.platform_id), 0)),
  rejected = 0, reversals = 0, conflicts = 0
WHERE id = 1;

CREATE TRIGGER redemptions_tally_insert AFTER INSERT ON redemptions BEGIN
  UPDATE tally SET redemptions = redemptions + 1 WHERE id = 1;
END;
CREATE TRIGGER redemptions_tally_delete AFTER DELETE ON redemptions BEGIN
  UPDATE tally SET redemptions = redemptions - 1 WHERE id = 1;
END;
-- a new entry is always past every watermark (a watermark only ever reaches entries that exist)
CREATE TRIGGER outbox_tally_insert AFTER INSERT ON outbox BEGIN
  UPDATE tally SET
    pending_upload = pending_upload + (NEW.state IN ('pending', 'held')),
    rejected = rejected + (NEW.state = 'rejected'),
    not_exported = not_exported + 1,
    reversals = reversals + (NEW.kind = 'reverse')
  WHERE id = 1;
END;
CREATE TRIGGER outbox_tally_state AFTER UPDATE OF state ON outbox BEGIN
  UPDATE tally SET
    pending_upload = pending_upload + (NEW.state IN ('pending', 'held')) - (OLD.state IN ('pending', 'held')),
    rejected = rejected + (NEW.state = 'rejected') - (OLD.state = 'rejected')
  WHERE id = 1;
END;
CREATE TRIGGER outbox_append_only BEFORE DELETE ON outbox BEGIN
  SELECT RAISE(ABORT, 'the outbox is append-only: a redemption is undone by a reverse entry, never deleted');
END;
CREATE TRIGGER outbox_facts_fixed BEFORE UPDATE OF seq, kind, redemption_id, platform_id, at ON outbox BEGIN
  SELECT RAISE(ABORT, 'an outbox entry''s facts never change; only its upload state does');
END;
CREATE TRIGGER export_marks_tally_insert AFTER INSERT ON export_marks BEGIN
  UPDATE tally SET not_exported = not_exported - (SELECT count(*) FROM outbox WHERE platform_id = NEW.platform_id AND seq <= NEW.seq) WHERE id = 1;
END;
CREATE TRIGGER export_marks_tally_update AFTER UPDATE OF seq ON export_marks BEGIN
  UPDATE tally SET not_exported = not_exported - (SELECT count(*) FROM outbox WHERE platform_id = NEW.platform_id AND seq > OLD.seq AND seq <= NEW.seq) WHERE id = 1;
END;
CREATE TRIGGER export_marks_forward BEFORE UPDATE OF seq ON export_marks WHEN NEW.seq < OLD.seq BEGIN
  SELECT RAISE(ABORT, 'an export watermark never moves back');
END;
CREATE TRIGGER conflicts_tally_insert AFTER INSERT ON conflicts BEGIN
  UPDATE tally SET conflicts = conflicts + 1 WHERE id = 1;
END;
`;

export const V3 = REBUILD + SYNC_TABLES + TALLY;
