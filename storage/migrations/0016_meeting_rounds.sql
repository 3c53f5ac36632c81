-- Every round of messages about a meeting (its invitations, the invitations again after a
-- move, each reminder) with its per-recipient outbox, as for notices: a crash or a database
-- fault resumes the round without sending again to anyone recorded as sent. Replaces the
-- reminders' own tables; their rows are kept.
CREATE TABLE meeting_rounds (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('invitation', 'moved', 'deadline', 'start')),
    status TEXT NOT NULL DEFAULT 'sending' CHECK (status IN ('sending', 'done')),
    started_at TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX meeting_rounds_status ON meeting_rounds (status, id);

CREATE TABLE meeting_outbox (
    round_id INTEGER NOT NULL REFERENCES meeting_rounds (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL,
    chat_id INTEGER,
    language TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN (
        'pending', 'sending', 'sent', 'unconfirmed', 'blocked', 'never_started', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    message_id INTEGER,
    revision INTEGER NOT NULL DEFAULT 0,
    sent_at TEXT,
    updated_at TEXT,
    PRIMARY KEY (round_id, person_id)
) WITHOUT ROWID;
CREATE INDEX meeting_outbox_state ON meeting_outbox (round_id, state);
CREATE INDEX meeting_outbox_sending ON meeting_outbox (state) WHERE state = 'sending';

INSERT INTO meeting_rounds (id, meeting_id, kind, status, started_at, finished_at)
    SELECT id, meeting_id, kind, status, started_at, finished_at FROM meeting_reminder_rounds;
INSERT INTO meeting_outbox (round_id, person_id, chat_id, language, state, attempts, reason,
        updated_at)
    SELECT round_id, person_id, chat_id, language, state, attempts, reason, updated_at
    FROM meeting_reminder_outbox;
DROP TABLE meeting_reminder_outbox;
DROP TABLE meeting_reminder_rounds;

-- Invitations an interrupted delivery left unsent get a round of their own, resumed at start.
INSERT INTO meeting_rounds (meeting_id, kind, started_at)
    SELECT DISTINCT i.meeting_id, 'invitation', strftime('%Y-%m-%dT%H:%M:%f000+00:00', 'now')
    FROM invitations i JOIN meetings m ON m.id = i.meeting_id
    WHERE i.delivery = 'pending' AND m.status = 'open';
INSERT INTO meeting_outbox (round_id, person_id, chat_id, language, state, reason)
    SELECT r.id, i.person_id, p.telegram_id, COALESCE(p.language, 'zh'),
        CASE WHEN p.telegram_id IS NULL THEN 'never_started' ELSE 'pending' END,
        CASE WHEN p.telegram_id IS NULL THEN 'skipped: unreachable' ELSE '' END
    FROM meeting_rounds r JOIN invitations i ON i.meeting_id = r.meeting_id
    JOIN persons p ON p.id = i.person_id
    WHERE r.kind = 'invitation' AND r.status = 'sending' AND i.delivery = 'pending'
        AND r.id NOT IN (SELECT round_id FROM meeting_outbox);
