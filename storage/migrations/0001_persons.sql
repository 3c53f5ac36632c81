-- The roster and everyone who has talked to the bot (guests included).
CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    unit TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL DEFAULT 'guest'
        CHECK (role IN ('guest', 'member', 'council', 'secretariat')),
    telegram_id INTEGER UNIQUE,
    language TEXT CHECK (language IN ('zh', 'en')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX persons_role ON persons (role);
