-- A conflict is a scan that lost its coupon to a live redemption at another
-- terminal, usually an offline accept: the customer got the goods there too.
-- When the winner is reversed, the coupon is not free again: in the
-- reversal's own transaction the earliest conflict that was not itself
-- reversed becomes the live redemption (promoted_redemption_id), so a third
-- terminal cannot claim a coupon already used at the second
-- (platform/store/sql/sync.ts). A losing terminal's reversal of its own scan
-- is kept on its conflict row (reversed_at) and is never promoted.
ALTER TABLE conflicts ADD COLUMN promoted_redemption_id bigint REFERENCES redemptions;
ALTER TABLE conflicts ADD CONSTRAINT conflicts_promoted_once UNIQUE (promoted_redemption_id);
ALTER TABLE conflicts ADD COLUMN reversed_at timestamptz;
ALTER TABLE conflicts ADD CONSTRAINT conflicts_reversed_after_scan CHECK (reversed_at IS NULL OR reversed_at >= scanned_at);
ALTER TABLE conflicts ADD CONSTRAINT conflicts_promoted_or_reversed CHECK (promoted_redemption_id IS NULL OR reversed_at IS NULL);
CREATE INDEX conflicts_by_coupon ON conflicts (cti_hex, scanned_at, seq);
