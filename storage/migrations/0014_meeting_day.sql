-- The meeting day: the check-in code, proxies allowed per holder, who was present, who holds
-- whose proxy, and the minutes sent after the meeting.
ALTER TABLE meetings ADD COLUMN checkin_code TEXT;
ALTER TABLE meetings ADD COLUMN proxies INTEGER NOT NULL DEFAULT 0 CHECK (proxies >= 0);

CREATE TABLE meeting_attendance (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    checked_in_at TEXT NOT NULL,
    walk_in INTEGER NOT NULL DEFAULT 0 CHECK (walk_in IN (0, 1)), -- present but not invited
    recorded_by INTEGER REFERENCES persons (id) ON DELETE SET NULL, -- NULL: checked in self
    PRIMARY KEY (meeting_id, person_id)
) WITHOUT ROWID;

-- One proxy per invited council member who cannot come (person_id entrusts holder_id).
CREATE TABLE meeting_proxies (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    person_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    holder_id INTEGER NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, person_id)
) WITHOUT ROWID;
CREATE INDEX meeting_proxies_holder ON meeting_proxies (meeting_id, holder_id);

-- Minutes sent through the notice delivery; `audience` is who they went to.
CREATE TABLE meeting_minutes (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    notice_id INTEGER NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    audience TEXT NOT NULL CHECK (audience IN ('invited', 'present')),
    created_at TEXT NOT NULL,
    PRIMARY KEY (meeting_id, notice_id)
) WITHOUT ROWID;
