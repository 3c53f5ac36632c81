"""The rows of meetings and invitations: their types, column lists and row mappers, shared by
the meeting repositories (each SELECT of a meeting or an invitation uses these lists)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from storage.people import SPOKEN_LANGUAGE, SPOKEN_LANGUAGE_JOIN, Language, Role
from storage.timestamps import from_db, from_db_optional

__all__ = [
    "INVITEE_COLUMNS",
    "INVITEE_FROM",
    "MEETING_COLUMNS",
    "MEETING_COLUMNS_M",
    "RESPONSES",
    "Invitee",
    "Meeting",
    "MeetingStatus",
    "NewMeeting",
    "Response",
    "RoundKind",
    "invitee_from_row",
    "meeting_from_row",
]

Response = Literal["yes", "no", "maybe", "none"]
RESPONSES: tuple[Response, ...] = ("yes", "no", "maybe", "none")
MeetingStatus = Literal["draft", "open", "cancelled"]
# The rounds of a meeting's messages: its invitations, after a move, and the two reminders.
RoundKind = Literal["invitation", "moved", "deadline", "start"]


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
    status: MeetingStatus
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


MEETING_COLUMNS = (
    "id, title, starts_at, place, agenda, deadline, audience, capacity, quorum, status, version,"
    " created_by, summary_chat_id, summary_message_id, summary_language, checkin_code, proxies"
)
# The same columns of `meetings m`, to join with invitations.
MEETING_COLUMNS_M = ", ".join(f"m.{column.strip()}" for column in MEETING_COLUMNS.split(","))
INVITEE_COLUMNS = (
    "i.meeting_id, i.person_id, p.name, p.unit, p.role, p.telegram_id, i.response,"
    " i.responded_at, i.yes_since, i.note, i.set_by, i.previous_response,"
    " i.previous_responded_at, i.delivery, i.chat_id, i.message_id,"
    f" {SPOKEN_LANGUAGE} AS language"
)
INVITEE_FROM = f"invitations i JOIN persons p ON p.id = i.person_id {SPOKEN_LANGUAGE_JOIN}"


def meeting_from_row(row: sqlite3.Row) -> Meeting:
    """A meeting from a row selected with `MEETING_COLUMNS` (or `MEETING_COLUMNS_M`)."""
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


def invitee_from_row(row: sqlite3.Row) -> Invitee:
    """An invitee from a row selected with `INVITEE_COLUMNS` from `INVITEE_FROM`."""
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
