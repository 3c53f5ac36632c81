-- The roster: invite codes, applications to join, uploaded rosters awaiting confirmation,
-- and per-person bookkeeping (command menu pushed, erasure).
ALTER TABLE persons ADD COLUMN menu_key TEXT;
ALTER TABLE persons ADD COLUMN erased_at TEXT;

-- A personal invite (person_id set) binds one roster entry; a role invite (person_id NULL)
-- gives its role to whoever opens it first. Each code works once, until it expires.
CREATE TABLE invite_codes (
    code TEXT PRIMARY KEY,
    person_id INTEGER REFERENCES persons (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('member', 'council', 'secretariat')),
    created_by INTEGER REFERENCES persons (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_by INTEGER REFERENCES persons (id) ON DELETE SET NULL
) WITHOUT ROWID;
CREATE INDEX invite_codes_person ON invite_codes (person_id);

CREATE TABLE applications (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL CHECK (language IN ('zh', 'en')),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'member', 'council', 'declined', 'withdrawn')),
    created_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by INTEGER REFERENCES persons (id) ON DELETE SET NULL
);
CREATE INDEX applications_status ON applications (status);
-- At most one pending application per person.
CREATE UNIQUE INDEX applications_one_pending ON applications (person_id) WHERE status = 'pending';

-- The request message each secretariat member got, to update them all after the decision.
CREATE TABLE application_messages (
    application_id INTEGER NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    chat_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (application_id, chat_id, message_id)
) WITHOUT ROWID;

-- A roster CSV sent to the bot, kept until its uploader confirms or cancels the import.
CREATE TABLE roster_uploads (
    id INTEGER PRIMARY KEY,
    uploaded_by INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    content TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'imported', 'cancelled')),
    created_at TEXT NOT NULL
);
