-- Receipts, follow-ups, corrections, recalls and the channel copy of notices.
-- `kind`: a notice; or an action on an earlier notice (`parent_id`): a follow-up to those who
-- have not confirmed it, a correction of its delivered copies, or their recall. Each runs
-- through the same per-recipient outbox as a delivery.
ALTER TABLE notices ADD COLUMN kind TEXT NOT NULL DEFAULT 'notice'
    CHECK (kind IN ('notice', 'reminder', 'edit', 'recall'));
ALTER TABLE notices ADD COLUMN ack INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notices ADD COLUMN channel INTEGER NOT NULL DEFAULT 0;
-- Raised by each correction; a copy records the revision of the text it was sent with.
ALTER TABLE notices ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

-- The message Telegram made for a delivered copy (for an action: the copy acted on).
ALTER TABLE notice_outbox ADD COLUMN message_id INTEGER;
ALTER TABLE notice_outbox ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
ALTER TABLE notice_outbox ADD COLUMN sent_at TEXT;

-- "Received / 收到" taps: one per notice and person.
CREATE TABLE notice_receipts (
    notice_id INTEGER NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    at TEXT NOT NULL,
    PRIMARY KEY (notice_id, person_id)
) WITHOUT ROWID;
