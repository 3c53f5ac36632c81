-- Notices: composition, schedule and status; the per-recipient outbox of each delivery.
CREATE TABLE notices (
    id INTEGER PRIMARY KEY,
    author_person_id INTEGER REFERENCES persons (id) ON DELETE SET NULL,
    author_chat_id INTEGER,
    author_language TEXT NOT NULL DEFAULT 'zh' CHECK (author_language IN ('zh', 'en')),
    audience TEXT NOT NULL DEFAULT 'all' CHECK (audience IN ('all', 'council', 'secretariat')),
    language TEXT CHECK (language IN ('zh', 'en')),
    category TEXT NOT NULL DEFAULT 'official' CHECK (category IN ('official', 'news')),
    text_zh TEXT,
    text_en TEXT,
    media_kind TEXT CHECK (media_kind IN ('photo', 'document')),
    media_file_id TEXT,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN (
        'draft', 'pending_approval', 'scheduled', 'sending', 'done', 'cancelled', 'missed',
        'rejected')),
    due_at TEXT,
    recurrence TEXT,
    parent_id INTEGER REFERENCES notices (id) ON DELETE SET NULL,
    approved_by INTEGER REFERENCES persons (id) ON DELETE SET NULL,
    progress_message_id INTEGER,
    total INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT
);
CREATE INDEX notices_status_due ON notices (status, due_at);

-- One row per recipient of one delivery; `state` is written before and after each send.
CREATE TABLE notice_outbox (
    notice_id INTEGER NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL,
    chat_id INTEGER,
    language TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN (
        'pending', 'sending', 'sent', 'unconfirmed', 'blocked', 'never_started', 'failed',
        'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL DEFAULT '',
    updated_at TEXT,
    PRIMARY KEY (notice_id, person_id)
) WITHOUT ROWID;
CREATE INDEX notice_outbox_state ON notice_outbox (notice_id, state);

-- Why a person is unreachable (blocked the bot or never started it), for the next snapshot.
CREATE TABLE notice_unreachable (
    person_id INTEGER PRIMARY KEY REFERENCES persons (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('blocked', 'never_started')),
    at TEXT NOT NULL
);
