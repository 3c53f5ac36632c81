"""Meetings, invitations and the reminder schedule (answers are in storage/meeting_answers.py)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from storage.database import Database
from storage.meeting_answers import RESPONSES, AnswerChange, AnswersMixin, Response
from storage.meeting_rounds import insert_invitation_round
from storage.people import SPOKEN_LANGUAGE, SPOKEN_LANGUAGE_JOIN, Language, Role
from storage.timestamps import from_db, from_db_optional, to_db

__all__ = [
    "RESPONSES",
    "AnswerChange",
    "Invitee",
    "Meeting",
    "MeetingRepository",
    "NewMeeting",
    "Response",
]


@dataclass(frozen=True)
class NewMeeting:
    """What the secretariat typed for a meeting, before it is stored."""

    title: str
    starts_at: datetime
    place: str
    deadline: datetime
    audience: Literal["council", "members"] = "council"
    agenda: str = ""
    capacity: int | None = None
    quorum: str | None = None
    proxies: int = 0


@dataclass(frozen=True)
class Meeting:
    """A stored meeting."""

    id: int
    title: str
    starts_at: datetime
    place: str
    agenda: str
    deadline: datetime
    audience: Literal["council", "members"]
    capacity: int | None
    quorum: str | None
    status: Literal["draft", "open", "cancelled"]
    version: int
    created_by: int | None
    summary_chat_id: int | None
    summary_message_id: int | None
    summary_language: Language | None
    checkin_code: str | None = None
    proxies: int = 0


@dataclass(frozen=True)
class Invitee:
    """One invited person with their answer and how the invitation reached them."""

    meeting_id: int
    person_id: int
    name: str
    unit: str
    role: Role
    telegram_id: int | None
    language: Language  # the one to write to them in (storage.people.SPOKEN_LANGUAGE)
    response: Response
    responded_at: datetime | None
    yes_since: datetime | None
    note: str
    set_by: int | None
    previous_response: Response | None
    previous_responded_at: datetime | None
    delivery: Literal["pending", "sent", "unreachable", "failed"]
    chat_id: int | None
    message_id: int | None

    @property
    def reachable(self) -> bool:
        """False for roster entries without a Telegram account or whom sending failed."""
        return self.telegram_id is not None and self.delivery in ("pending", "sent")


_MEETING = (
    "id, title, starts_at, place, agenda, deadline, audience, capacity, quorum, status, version,"
    " created_by, summary_chat_id, summary_message_id, summary_language, checkin_code, proxies"
)
# The same columns of `meetings m`, to join with invitations.
_MEETING_M = ", ".join(f"m.{column.strip()}" for column in _MEETING.split(","))
_INVITEE = (
    "i.meeting_id, i.person_id, p.name, p.unit, p.role, p.telegram_id, i.response,"
    " i.responded_at, i.yes_since, i.note, i.set_by, i.previous_response,"
    " i.previous_responded_at, i.delivery, i.chat_id, i.message_id,"
    f" {SPOKEN_LANGUAGE} AS language"
)
_INVITEE_FROM = f"invitations i JOIN persons p ON p.id = i.person_id {SPOKEN_LANGUAGE_JOIN}"


def _meeting(row: sqlite3.Row) -> Meeting:
    return Meeting(
        id=row["id"],
        title=row["title"],
        starts_at=from_db(row["starts_at"]),
        place=row["place"],
        agenda=row["agenda"],
        deadline=from_db(row["deadline"]),
        audience=row["audience"],
        capacity=row["capacity"],
        quorum=row["quorum"],
        status=row["status"],
        version=row["version"],
        created_by=row["created_by"],
        summary_chat_id=row["summary_chat_id"],
        summary_message_id=row["summary_message_id"],
        summary_language=row["summary_language"],
        checkin_code=row["checkin_code"],
        proxies=row["proxies"],
    )


def _invitee(row: sqlite3.Row) -> Invitee:
    return Invitee(
        meeting_id=row["meeting_id"],
        person_id=row["person_id"],
        name=row["name"],
        unit=row["unit"],
        role=Role(row["role"]),
        telegram_id=row["telegram_id"],
        language=row["language"],
        response=row["response"],
        responded_at=from_db_optional(row["responded_at"]),
        yes_since=from_db_optional(row["yes_since"]),
        note=row["note"],
        set_by=row["set_by"],
        previous_response=row["previous_response"],
        previous_responded_at=from_db_optional(row["previous_responded_at"]),
        delivery=row["delivery"],
        chat_id=row["chat_id"],
        message_id=row["message_id"],
    )


class MeetingRepository(AnswersMixin):
    """Reads and writes meetings, invitations and reminders."""

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
            f"SELECT {_MEETING} FROM meetings WHERE id = ?", (meeting_id,)
        )
        return _meeting(row) if row else None

    async def list_open(self, since: datetime) -> list[Meeting]:
        """Return the open meetings starting after `since`, soonest first."""
        rows = await self._db.fetchall(
            f"SELECT {_MEETING} FROM meetings WHERE status = 'open' AND starts_at > ?"
            " ORDER BY starts_at, id",
            (to_db(since),),
        )
        return [_meeting(row) for row in rows]

    async def open_draft(
        self, meeting: Meeting, person_ids: list[int], reachable: set[int], now: datetime
    ) -> int | None:
        """Open the meeting, invite `person_ids` and write the round of their invitations, in
        one transaction; the round's id, or None when its status changed since it was read."""
        meeting_id = meeting.id
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE meetings SET status = 'open', updated_at = ? WHERE id = ? AND status = ?",
                (to_db(now), meeting_id, meeting.status),
            )
            if cursor.rowcount != 1:
                return None
            await tx.executemany(
                "INSERT INTO invitations (meeting_id, person_id, delivery) VALUES (?, ?, ?)",
                [
                    (meeting_id, pid, "pending" if pid in reachable else "unreachable")
                    for pid in person_ids
                ],
            )
            return await insert_invitation_round(tx, meeting_id, "invitation", now)

    async def claim_late_invitation(
        self, meeting_id: int, person_id: int, now: datetime
    ) -> int | None:
        """Invite a person who joined or became reachable after the meeting was called.

        Adds their invitation (or takes one that could not be delivered) as pending, with a
        round of its own; None when it has been sent already or is being sent, so each
        person gets it once.
        """
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT INTO invitations (meeting_id, person_id, delivery) VALUES (?, ?, 'pending')"
                " ON CONFLICT (meeting_id, person_id) DO UPDATE SET delivery = 'pending'"
                " WHERE delivery IN ('unreachable', 'failed')",
                (meeting_id, person_id),
            )
            if cursor.rowcount != 1:
                return None
            return await insert_invitation_round(
                tx, meeting_id, "invitation", now, person_id=person_id
            )

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
            f"SELECT {_INVITEE} FROM {_INVITEE_FROM} WHERE i.meeting_id = ? ORDER BY p.name, p.id",
            (meeting_id,),
        )
        return [_invitee(row) for row in rows]

    async def invitee(self, meeting_id: int, person_id: int) -> Invitee | None:
        """Return one invited person of a meeting."""
        row = await self._db.fetchone(
            f"SELECT {_INVITEE} FROM {_INVITEE_FROM} WHERE i.meeting_id = ? AND i.person_id = ?",
            (meeting_id, person_id),
        )
        return _invitee(row) if row else None

    async def invitation_for_account(
        self, meeting_id: int, telegram_id: int
    ) -> tuple[Meeting, Invitee] | None:
        """Return the meeting and the invitation of the person bound to `telegram_id`."""
        row = await self._db.fetchone(
            f"SELECT {_INVITEE}, {_MEETING_M}"
            f" FROM {_INVITEE_FROM} JOIN meetings m ON m.id = i.meeting_id"
            " WHERE i.meeting_id = ? AND p.telegram_id = ?",
            (meeting_id, telegram_id),
        )
        return (_meeting(row), _invitee(row)) if row else None

    async def meetings_of(self, person_id: int, since: datetime) -> list[tuple[Meeting, Invitee]]:
        """Return the open meetings after `since` to which a person is invited."""
        rows = await self._db.fetchall(
            f"SELECT {_INVITEE}, {_MEETING_M}"
            f" FROM {_INVITEE_FROM} JOIN meetings m ON m.id = i.meeting_id"
            " WHERE i.person_id = ? AND m.status = 'open' AND m.starts_at > ?"
            " ORDER BY m.starts_at, m.id",
            (person_id, to_db(since)),
        )
        return [(_meeting(row), _invitee(row)) for row in rows]

    async def cancel(self, meeting: Meeting, now: datetime) -> bool:
        """Cancel the meeting and skip its pending reminders; False when its status changed
        since it was read (a second tap)."""
        meeting_id = meeting.id
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE meetings SET status = 'cancelled', updated_at = ? WHERE id = ?"
                " AND status = ?",
                (to_db(now), meeting_id, meeting.status),
            )
            if cursor.rowcount != 1:
                return False
            await tx.execute(
                "UPDATE meeting_reminders SET status = 'skipped', done_at = ?"
                " WHERE meeting_id = ? AND status = 'pending'",
                (to_db(now), meeting_id),
            )
        return True

    async def move(
        self,
        meeting: Meeting,
        starts_at: datetime,
        place: str,
        deadline: datetime,
        now: datetime,
    ) -> tuple[Meeting, int] | None:
        """Move the meeting: new version, answers reset (kept as previous), and a round of the
        invitations asking again, in one transaction; None when its status or version changed
        since it was read."""
        async with self._db.transaction() as tx:
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
                return None
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
            round_id = await insert_invitation_round(tx, meeting.id, "moved", now)
        moved = await self.get(meeting.id)
        assert moved is not None
        return moved, round_id

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
