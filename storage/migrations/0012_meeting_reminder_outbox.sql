-- Each round of meeting reminders (scheduled or `/remind`) and its per-recipient outbox, as
-- for notices: a crash resumes the round without reminding anyone recorded as reminded.
CREATE TABLE meeting_reminder_rounds (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('deadline', 'start')),
    status TEXT NOT NULL DEFAULT 'sending' CHECK (status IN ('sending', 'done')),
    started_at TEXT NOT NULL,
    finished_at TEXT
);

CREATE TABLE meeting_reminder_outbox (
    round_id INTEGER NOT NULL REFERENCES meeting_reminder_rounds (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL,
    chat_id INTEGER,
    language TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN (
        'pending', 'sending', 'sent', 'unconfirmed', 'blocked', 'never_started', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    updated_at TEXT,
    PRIMARY KEY (round_id, person_id)
) WITHOUT ROWID;
CREATE INDEX meeting_reminder_outbox_state ON meeting_reminder_outbox (round_id, state);
