/**
 * Ledger version 4 (issue 10, the export's speed): each outbox entry keeps
 * its batch record and its position among its platform's entries.
 *
 * - `pseq`: 1, 2, 3 … per platform in seq order, without gaps (the outbox is
 *   append-only, and a trigger refuses any other number). A batch's record n
 *   is then pseq minus the pseq at the platform's export watermark, and a
 *   platform's queue is one subtraction, not a count.
 * - `record`: the entry's batch record after its number (batch-record.ts),
 *   written with the entry and never changed, like the entry's other facts.
 *
 * v3 ledgers: both are filled in for every entry, in seq order.
 */
import { NEXT_PSEQ, PSEQ_AT, recordSql } from './batch-record.js';

export const V4 = `
ALTER TABLE outbox ADD COLUMN pseq INTEGER;
ALTER TABLE outbox ADD COLUMN record TEXT;

UPDATE outbox SET pseq = n.pseq
  FROM (SELECT seq, row_number() OVER (PARTITION BY platform_id ORDER BY seq) AS pseq FROM outbox) n
  WHERE outbox.seq = n.seq;
UPDATE outbox SET record = (SELECT ${recordSql('outbox.kind', 'outbox.at')} FROM redemptions r WHERE r.id = outbox.redemption_id);

CREATE UNIQUE INDEX outbox_pseq ON outbox (platform_id, pseq);

CREATE TRIGGER outbox_numbered BEFORE INSERT ON outbox
  WHEN NEW.record IS NULL OR NEW.pseq IS NOT ${NEXT_PSEQ('NEW.platform_id')}
BEGIN
  SELECT RAISE(ABORT, 'an outbox entry needs its record and the next pseq of its platform');
END;
DROP TRIGGER outbox_facts_fixed;
CREATE TRIGGER outbox_facts_fixed BEFORE UPDATE OF seq, kind, redemption_id, platform_id, at, pseq, record ON outbox BEGIN
  SELECT RAISE(ABORT, 'an outbox entry''s facts never change; only its upload state does');
END;

-- the not-exported count moves by the number of entries a watermark passes: a difference of two pseqs, not a count
DROP TRIGGER export_marks_tally_insert;
CREATE TRIGGER export_marks_tally_insert AFTER INSERT ON export_marks BEGIN
  UPDATE tally SET not_exported = not_exported - ${PSEQ_AT('NEW.platform_id', 'NEW.seq')} WHERE id = 1;
END;
DROP TRIGGER export_marks_tally_update;
CREATE TRIGGER export_marks_tally_update AFTER UPDATE OF seq ON export_marks BEGIN
  UPDATE tally SET not_exported = not_exported - (${PSEQ_AT('NEW.platform_id', 'NEW.seq')} - ${PSEQ_AT('NEW.platform_id', 'OLD.seq')}) WHERE id = 1;
END;
`;
