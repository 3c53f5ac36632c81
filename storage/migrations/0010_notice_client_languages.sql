-- The language of each person's Telegram app, as last seen by the bot: for people who never
-- chose a language, it is the language the bot talks to them in, and so the one their
-- notices are written in (and the one `lang=` selects on).
CREATE TABLE notice_client_languages (
    person_id INTEGER PRIMARY KEY REFERENCES persons (id) ON DELETE CASCADE,
    language TEXT NOT NULL CHECK (language IN ('zh', 'en')),
    seen_at TEXT NOT NULL
);
