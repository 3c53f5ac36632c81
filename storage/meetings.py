"""Meetings and their invitations: drafts, opening, moves, edits, cancellation, check-in codes.

The writes that go with a round of messages or the reminder schedule take the transaction
they share (the service opens it), so each is atomic without one repository writing
another's tables.
"""

from __future__ import annotations

from datetime import datetime

from storage.database import Database, Transaction
from storage.meeting_rows import (
    INVITEE_COLUMNS,
    INVITEE_FROM,
    MEETING_COLUMNS,
    MEETING_COLUMNS_M,
    RESPONSES,
    Invitee,
    Meeting,
    NewMeeting,
    Response,
    invitee_from_row,
    meeting_from_row,
)
from storage.people import Language
from storage.timestamps import to_db

__all__ = [
    "RESPONSES",
    "Invitee",
    "Meeting",
    "MeetingRepository",
    "NewMeeting",
    "Response",
]


class MeetingRepository:
    """Reads and writes meetings and their invitations."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create_draft(self, new: NewMeeting, created_by: int, now: datetime) -> Meeting:
        """Store a meeting not yet confirmed (nobody is invited yet)."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT INTO meetings (title, starts_at, place, agenda, deadline, audience,"
                " capacity, quorum, proxies, created_by, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.title,
                    to_db(new.starts_at),
                    new.place,
                    new.agenda,
                    to_db(new.deadline),
                    new.audience,
                    new.capacity,
                    new.quorum,
                    new.proxies,
                    created_by,
                    to_db(now),
                    to_db(now),
                ),
            )
            meeting_id = int(cursor.lastrowid or 0)
        meeting = await self.get(meeting_id)
        assert meeting is not None
        return meeting

    async def get(self, meeting_id: int) -> Meeting | None:
        """Return the meeting with this id."""
        row = await self._db.fetchone(
            f"SELECT {MEETING_COLUMNS} FROM meetings WHERE id = ?", (meeting_id,)
        )
        return meeting_from_row(row) if row else None

    async def list_open(self, since: datetime) -> list[Meeting]:
        """Return the open meetings starting after `since`, soonest first."""
        rows = await self._db.fetchall(
            f"SELECT {MEETING_COLUMNS} FROM meetings WHERE status = 'open' AND starts_at > ?"
            " ORDER BY starts_at, id",
            (to_db(since),),
        )
        return [meeting_from_row(row) for row in rows]

    async def open_draft(
        self,
        tx: Transaction,
        meeting: Meeting,
        person_ids: list[int],
        reachable: set[int],
        now: datetime,
    ) -> bool:
        """Open the meeting and invite `person_ids` (those in `reachable` pending, the others
        unreachable); False when its status changed since it was read."""
        cursor = await tx.execute(
            "UPDATE meetings SET status = 'open', updated_at = ? WHERE id = ? AND status = ?",
            (to_db(now), meeting.id, meeting.status),
        )
        if cursor.rowcount != 1:
            return False
        await tx.executemany(
            "INSERT INTO invitations (meeting_id, person_id, delivery) VALUES (?, ?, ?)",
            [
                (meeting.id, pid, "pending" if pid in reachable else "unreachable")
                for pid in person_ids
            ],
        )
        return True

    async def claim_late_invitation(self, tx: Transaction, meeting_id: int, person_id: int) -> bool:
        """Invite a person who joined or became reachable after the meeting was called.

        Adds their invitation (or takes one that could not be delivered) as pending; False
        when it has been sent already or is being sent, so each person gets it once.
        """
        cursor = await tx.execute(
            "INSERT INTO invitations (meeting_id, person_id, delivery) VALUES (?, ?, 'pending')"
            " ON CONFLICT (meeting_id, person_id) DO UPDATE SET delivery = 'pending'"
            " WHERE delivery IN ('unreachable', 'failed')",
            (meeting_id, person_id),
        )
        return cursor.rowcount == 1

    async def set_summary_message(
        self, meeting_id: int, chat_id: int, message_id: int, language: Language
    ) -> None:
        """Remember the creator's summary message, edited as answers arrive."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE meetings SET summary_chat_id = ?, summary_message_id = ?,"
                " summary_language = ? WHERE id = ?",
                (chat_id, message_id, language, meeting_id),
            )

    async def invitees(self, meeting_id: int) -> list[Invitee]:
        """Return every invited person of a meeting, by name."""
        rows = await self._db.fetchall(
            f"SELECT {INVITEE_COLUMNS} FROM {INVITEE_FROM} WHERE i.meeting_id = ?"
            " ORDER BY p.name, p.id",
            (meeting_id,),
        )
        return [invitee_from_row(row) for row in rows]

    async def invitee(self, meeting_id: int, person_id: int) -> Invitee | None:
        """Return one invited person of a meeting."""
        row = await self._db.fetchone(
            f"SELECT {INVITEE_COLUMNS} FROM {INVITEE_FROM}"
            " WHERE i.meeting_id = ? AND i.person_id = ?",
            (meeting_id, person_id),
        )
        return invitee_from_row(row) if row else None

    async def invitation_for_account(
        self, meeting_id: int, telegram_id: int
    ) -> tuple[Meeting, Invitee] | None:
        """Return the meeting and the invitation of the person bound to `telegram_id`."""
        row = await self._db.fetchone(
            f"SELECT {INVITEE_COLUMNS}, {MEETING_COLUMNS_M}"
            f" FROM {INVITEE_FROM} JOIN meetings m ON m.id = i.meeting_id"
            " WHERE i.meeting_id = ? AND p.telegram_id = ?",
            (meeting_id, telegram_id),
        )
        return (meeting_from_row(row), invitee_from_row(row)) if row else None

    async def meetings_of(self, person_id: int, since: datetime) -> list[tuple[Meeting, Invitee]]:
        """Return the open meetings after `since` to which a person is invited."""
        rows = await self._db.fetchall(
            f"SELECT {INVITEE_COLUMNS}, {MEETING_COLUMNS_M}"
            f" FROM {INVITEE_FROM} JOIN meetings m ON m.id = i.meeting_id"
            " WHERE i.person_id = ? AND m.status = 'open' AND m.starts_at > ?"
            " ORDER BY m.starts_at, m.id",
            (person_id, to_db(since)),
        )
        return [(meeting_from_row(row), invitee_from_row(row)) for row in rows]

    async def cancel(self, tx: Transaction, meeting: Meeting, now: datetime) -> bool:
        """Cancel the meeting; False when its status changed since it was read (a second
        tap)."""
        cursor = await tx.execute(
            "UPDATE meetings SET status = 'cancelled', updated_at = ? WHERE id = ? AND status = ?",
            (to_db(now), meeting.id, meeting.status),
        )
        return cursor.rowcount == 1

    async def move(
        self,
        tx: Transaction,
        meeting: Meeting,
        starts_at: datetime,
        place: str,
        deadline: datetime,
        now: datetime,
    ) -> bool:
        """Move the meeting: new version, answers reset (kept as previous); False when its
        status or version changed since it was read."""
        cursor = await tx.execute(
            "UPDATE meetings SET starts_at = ?, place = ?, deadline = ?,"
            " version = version + 1, updated_at = ? WHERE id = ? AND status = ?"
            " AND version = ?",
            (
                to_db(starts_at),
                place,
                to_db(deadline),
                to_db(now),
                meeting.id,
                meeting.status,
                meeting.version,
            ),
        )
        if cursor.rowcount != 1:
            return False
        await tx.execute(
            "UPDATE invitations SET"
            " previous_response = CASE WHEN response = 'none' THEN previous_response"
            " ELSE response END,"
            " previous_responded_at = CASE WHEN response = 'none' THEN previous_responded_at"
            " ELSE responded_at END,"
            " response = 'none', responded_at = NULL, yes_since = NULL, note = '',"
            " set_by = NULL, reason_prompt_id = NULL WHERE meeting_id = ?",
            (meeting.id,),
        )
        return True

    async def edit(
        self, meeting: Meeting, changes: dict[str, object], now: datetime
    ) -> Meeting | None:
        """Change title, place, agenda, deadline or capacity (same version, so its buttons stay
        valid); None when its status or version changed since it was read."""
        allowed = {"title", "place", "agenda", "deadline", "capacity"}
        if not changes or not set(changes) <= allowed:
            raise ValueError(f"cannot edit {sorted(set(changes) - allowed)}")
        values = {
            key: to_db(value) if isinstance(value, datetime) else value
            for key, value in changes.items()
        }
        assignments = ", ".join(f"{key} = ?" for key in values)
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                f"UPDATE meetings SET {assignments}, updated_at = ? WHERE id = ?"
                " AND status = ? AND version = ?",
                (*values.values(), to_db(now), meeting.id, meeting.status, meeting.version),
            )
            if cursor.rowcount != 1:
                return None
        return await self.get(meeting.id)

    async def set_checkin_code(self, meeting_id: int, code: str) -> str:
        """Give the meeting `code` unless it has one; return the code on record."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE meetings SET checkin_code = ? WHERE id = ? AND checkin_code IS NULL",
                (code, meeting_id),
            )
            row = await tx.fetchone("SELECT checkin_code FROM meetings WHERE id = ?", (meeting_id,))
        return str(row[0]) if row and row[0] else code

    async def meeting_of_code(self, code: str) -> int | None:
        """The meeting whose check-in code is `code`."""
        row = await self._db.fetchone("SELECT id FROM meetings WHERE checkin_code = ?", (code,))
        return int(row[0]) if row else None
