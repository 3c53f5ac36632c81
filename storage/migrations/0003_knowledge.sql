-- The knowledge base: every imported version of the Articles and the mission page (zh, en),
-- one of them current per kind and language, and a full-text index of the current ones.
CREATE TABLE kb_documents (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('articles', 'mission')),
    language TEXT NOT NULL CHECK (language IN ('zh', 'en')),
    title TEXT NOT NULL DEFAULT '',
    preface TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    imported_at TEXT NOT NULL,
    imported_by INTEGER,
    is_current INTEGER NOT NULL DEFAULT 0 CHECK (is_current IN (0, 1))
);
CREATE UNIQUE INDEX kb_documents_current ON kb_documents (kind, language) WHERE is_current = 1;

CREATE TABLE kb_chapters (
    document_id INTEGER NOT NULL REFERENCES kb_documents (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (document_id, number)
);

-- An article (number set) or a mission-page section (number NULL), in document order.
CREATE TABLE kb_entries (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES kb_documents (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    number INTEGER,
    chapter_number INTEGER,
    title TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT ''
);
CREATE INDEX kb_entries_document ON kb_entries (document_id, number);

-- Search terms of the current entries (rowid = kb_entries.id), segmented and stemmed by
-- the bot before they are stored, so unicode61 only splits on spaces. `chapter` holds the
-- terms of the entry's chapter title, which count for less than the entry's own words.
CREATE VIRTUAL TABLE kb_search USING fts5 (title, body, chapter, tokenize = 'unicode61');
CREATE VIRTUAL TABLE kb_search_vocab USING fts5vocab (kb_search, 'row');

CREATE TABLE kb_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Questions the documents did not cover, passed on to the secretariat, and their answers.
CREATE TABLE kb_questions (
    id INTEGER PRIMARY KEY,
    telegram_id INTEGER NOT NULL,
    language TEXT NOT NULL CHECK (language IN ('zh', 'en')),
    question TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'offered' CHECK (status IN ('offered', 'sent', 'answered')),
    asked_at TEXT NOT NULL,
    answer TEXT,
    answered_by INTEGER,
    answered_at TEXT
);
