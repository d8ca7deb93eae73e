-- 0002: real-time sync (issue 9) and USB batch import (issue 10). Never edit
-- once released: add the next number instead.
--
-- What several service processes must agree on stays a constraint:
-- one live redemption per coupon (0001's redemptions_first_wins), one row per
-- scan whether it came by claim, upload or batch (redemptions_same_scan), and
-- now the USB chain (a batch can only follow the batch it names).

-- Conflicts are listed to both terminals by a cursor. conflict_id is an
-- identity, which a transaction takes before it commits: a reader at cursor N
-- could miss an N-1 that commits after it read. seq is assigned max+1 under an
-- advisory lock instead (platform/store/sql/sync.ts), so it grows in commit
-- order, as revocations.seq does.
ALTER TABLE conflicts ADD COLUMN seq bigint;
UPDATE conflicts SET seq = conflict_id;
ALTER TABLE conflicts ALTER COLUMN seq SET NOT NULL;
ALTER TABLE conflicts ADD CONSTRAINT conflicts_seq_key UNIQUE (seq);
ALTER TABLE conflicts ADD CONSTRAINT conflicts_seq_positive CHECK (seq > 0);
-- a terminal's conflicts, on either side (platform/store/sql/redemptions.ts)
CREATE INDEX conflicts_by_terminal ON conflicts (terminal_id, seq);
CREATE INDEX conflicts_by_winner ON conflicts (winner_redemption_id);

-- A reversal (a compensating entry) keeps the redemption row and sets
-- reversed_at (the kiosk's time of the reversal) and reversal_received_at
-- (the platform's). A reversal that reaches the platform before its
-- redemption leaves a row born reversed, so that a late claim or upload of
-- that scan is recognised (a duplicate) and never takes the coupon.
ALTER TABLE redemptions ADD CONSTRAINT redemptions_reversed_after_scan CHECK (reversed_at IS NULL OR reversed_at >= scanned_at);

-- USB batches: the chain is a foreign key onto the previous batch of the same
-- terminal, by its sequence number and manifest hash. Two imports racing
-- cannot both extend the chain (primary key), no gap or fork can be stored
-- (the key), and a replay fails the primary key or the unique manifest hash.
ALTER TABLE usb_batches ADD COLUMN prev_seq bigint GENERATED ALWAYS AS (seq - 1) STORED;
ALTER TABLE usb_batches ADD CONSTRAINT usb_batches_link UNIQUE (terminal_id, seq, manifest_sha256);
ALTER TABLE usb_batches ADD CONSTRAINT usb_batches_chain
  FOREIGN KEY (terminal_id, prev_seq, prev_manifest_sha256) REFERENCES usb_batches (terminal_id, seq, manifest_sha256);
-- what the import found, so a re-import can say what the first one did
ALTER TABLE usb_batches ADD COLUMN data_sha256 bytea CHECK (data_sha256 IS NULL OR length(data_sha256) = 32);
ALTER TABLE usb_batches ADD COLUMN accepted integer NOT NULL DEFAULT 0 CHECK (accepted >= 0);
ALTER TABLE usb_batches ADD COLUMN duplicates integer NOT NULL DEFAULT 0 CHECK (duplicates >= 0);
ALTER TABLE usb_batches ADD COLUMN conflicts integer NOT NULL DEFAULT 0 CHECK (conflicts >= 0);
ALTER TABLE usb_batches ADD COLUMN refused integer NOT NULL DEFAULT 0 CHECK (refused >= 0);
