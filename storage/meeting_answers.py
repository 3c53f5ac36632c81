"""Answers to invitations: recording a tap or the secretariat's change, seats, No reasons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from storage.database import Database, Transaction
from storage.meeting_rows import Response
from storage.timestamps import to_db

__all__ = ["AnswerChange", "AnswerRepository", "SeatedMeeting"]


class SeatedMeeting(Protocol):
    """What recording an answer needs of a meeting (`storage.meetings.Meeting` has it)."""

    @property
    def id(self) -> int: ...

    @property
    def capacity(self) -> int | None: ...

    @property
    def status(self) -> str: ...


@dataclass(frozen=True)
class AnswerChange:
    """The outcome of recording an answer: what changed and who moved off the waitlist.

    `before` is None when a member's own tap changed the answer (it is not read back then).
    """

    changed: bool
    before: Response | None
    after: Response
    promoted: tuple[int, ...] = ()


# Who holds a seat, in order: the Yes answers by when they were given.
_SEATED = (
    "SELECT person_id FROM invitations WHERE meeting_id = ? AND response = 'yes'"
    " ORDER BY yes_since, person_id"
)


async def _seated(tx: Transaction, meeting_id: int, capacity: int) -> list[int]:
    rows = await tx.fetchall(f"{_SEATED} LIMIT ?", (meeting_id, capacity))
    return [int(row[0]) for row in rows]


_SET_ANSWER = (
    "UPDATE invitations SET response = ?, responded_at = ?,"
    " set_by = ?, yes_since = CASE WHEN ? = 'yes' THEN ? ELSE NULL END,"
    " note = CASE WHEN ? = 'no' THEN note ELSE '' END"
    " WHERE meeting_id = ? AND person_id = ?"
)


def _answer_values(response: Response, now: datetime, set_by: int | None) -> tuple[object, ...]:
    stamp = to_db(now)
    return (response, None if response == "none" else stamp, set_by, response, stamp, response)


class AnswerRepository:
    """Reads and writes the answers to invitations: taps, the secretariat's changes, seats,
    and the reasons given with a No."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def answer(
        self,
        meeting: SeatedMeeting,
        person_id: int,
        response: Response,
        now: datetime,
        *,
        set_by: int | None = None,
        version: int | None = None,
    ) -> AnswerChange | None:
        """Record an answer; None when the meeting's status changed since it was read (or it
        moved since `version`)."""
        if not meeting.capacity and set_by is None:
            fast = await self._answer_without_seats(meeting, person_id, response, now, version)
            if fast is not None:
                return fast
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT i.response FROM invitations i JOIN meetings m ON m.id = i.meeting_id"
                " WHERE i.meeting_id = ? AND i.person_id = ? AND m.status = ?"
                " AND (? IS NULL OR m.version = ?)",
                (meeting.id, person_id, meeting.status, version, version),
            )
            if row is None:
                return None
            before: Response = row[0]
            if before == response:
                return AnswerChange(False, before, response)
            seated_before = (
                await _seated(tx, meeting.id, meeting.capacity) if meeting.capacity else []
            )
            await tx.execute(
                _SET_ANSWER, (*_answer_values(response, now, set_by), meeting.id, person_id)
            )
            promoted: tuple[int, ...] = ()
            if meeting.capacity and before == "yes":
                seated_after = await _seated(tx, meeting.id, meeting.capacity)
                promoted = tuple(p for p in seated_after if p not in seated_before)
        return AnswerChange(True, before, response, promoted)

    async def _answer_without_seats(
        self,
        meeting: SeatedMeeting,
        person_id: int,
        response: Response,
        now: datetime,
        version: int | None,
    ) -> AnswerChange | None:
        """One conditional UPDATE (the hot path of a tap); None when it changed nothing."""
        changed = await self._db.write_one(
            f"{_SET_ANSWER} AND response != ? AND EXISTS (SELECT 1 FROM meetings m"
            " WHERE m.id = invitations.meeting_id AND m.status = ?"
            " AND (? IS NULL OR m.version = ?))",
            (
                *_answer_values(response, now, None),
                meeting.id,
                person_id,
                response,
                meeting.status,
                version,
                version,
            ),
        )
        return AnswerChange(True, None, response) if changed == 1 else None

    async def set_note(self, meeting_id: int, person_id: int, note: str) -> bool:
        """Store the reason given with a No; False unless the answer is still No."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE invitations SET note = ?, reason_prompt_id = NULL"
                " WHERE meeting_id = ? AND person_id = ? AND response = 'no'",
                (note, meeting_id, person_id),
            )
        return cursor.rowcount == 1

    async def set_reason_prompt(self, meeting_id: int, person_id: int, message_id: int) -> None:
        """Remember the message that asked for a reason (a reply to it is the reason)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE invitations SET reason_prompt_id = ?"
                " WHERE meeting_id = ? AND person_id = ?",
                (message_id, meeting_id, person_id),
            )

    async def find_reason_prompt(self, telegram_id: int, message_id: int) -> tuple[int, int] | None:
        """Return (meeting id, person id) whose reason prompt is this message."""
        row = await self._db.fetchone(
            "SELECT i.meeting_id, i.person_id FROM invitations i"
            " JOIN persons p ON p.id = i.person_id"
            " WHERE p.telegram_id = ? AND i.reason_prompt_id = ?",
            (telegram_id, message_id),
        )
        return (int(row[0]), int(row[1])) if row else None

    async def seated(self, meeting: SeatedMeeting) -> list[int]:
        """Return the person ids holding a seat (all Yes without a capacity), in order."""
        rows = await self._db.fetchall(_SEATED, (meeting.id,))
        return [int(row[0]) for row in rows]
