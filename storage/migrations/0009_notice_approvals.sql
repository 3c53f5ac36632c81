-- The approval requests sent for a notice, so their buttons can be removed once it is decided.
CREATE TABLE notice_approval_requests (
    notice_id INTEGER NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    chat_id INTEGER,
    message_id INTEGER NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('zh', 'en')),
    text TEXT NOT NULL,
    PRIMARY KEY (notice_id, person_id)
) WITHOUT ROWID;
