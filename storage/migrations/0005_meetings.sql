-- Meetings, one invitation per invited person (the RSVP), and the reminder schedule.
CREATE TABLE meetings (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    place TEXT NOT NULL,
    agenda TEXT NOT NULL DEFAULT '',
    deadline TEXT NOT NULL,
    audience TEXT NOT NULL DEFAULT 'council' CHECK (audience IN ('council', 'members')),
    capacity INTEGER CHECK (capacity IS NULL OR capacity > 0),
    quorum TEXT,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'cancelled')),
    version INTEGER NOT NULL DEFAULT 1,
    created_by INTEGER REFERENCES persons (id) ON DELETE SET NULL,
    summary_chat_id INTEGER,
    summary_message_id INTEGER,
    summary_language TEXT CHECK (summary_language IN ('zh', 'en')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX meetings_status ON meetings (status, starts_at);

CREATE TABLE invitations (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    response TEXT NOT NULL DEFAULT 'none' CHECK (response IN ('yes', 'no', 'maybe', 'none')),
    responded_at TEXT,
    yes_since TEXT,
    note TEXT NOT NULL DEFAULT '',
    set_by INTEGER REFERENCES persons (id) ON DELETE SET NULL,
    previous_response TEXT, -- the answer given before the meeting was moved
    previous_responded_at TEXT,
    delivery TEXT NOT NULL DEFAULT 'pending'
        CHECK (delivery IN ('pending', 'sent', 'unreachable', 'failed')),
    chat_id INTEGER,
    message_id INTEGER,
    reason_prompt_id INTEGER,
    PRIMARY KEY (meeting_id, person_id)
) WITHOUT ROWID;
CREATE INDEX invitations_person ON invitations (person_id);

CREATE TABLE meeting_reminders (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('deadline', 'start')),
    due_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'skipped')),
    done_at TEXT,
    UNIQUE (meeting_id, kind)
);
