-- Per-person delivery preferences and reachability; the audit log of secretariat actions.
ALTER TABLE persons ADD COLUMN news_enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE persons ADD COLUMN reachable INTEGER NOT NULL DEFAULT 1;

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_person_id INTEGER REFERENCES persons (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    subject_person_id INTEGER REFERENCES persons (id) ON DELETE SET NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);
