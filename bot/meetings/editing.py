"""Editing a meeting: title, place, agenda, deadline or capacity, without asking again."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from bot.meetings.rules import (
    MAX_AGENDA,
    MAX_PLACE,
    MAX_TITLE,
    FormError,
    parse_local_datetime,
    reminder_times,
)
from storage.meeting_rows import Meeting

if TYPE_CHECKING:
    from bot.meetings.service import Delivery, MeetingService

__all__ = ["EDITABLE", "Edit", "EditOutcome", "edit_meeting", "may_edit", "parse_edit"]

EDITABLE = ("title", "place", "agenda", "deadline", "capacity")
_OPTION = re.compile(r"^(title|place|agenda|deadline|capacity)\s*=\s*(.*)$", re.S)


@dataclass(frozen=True)
class EditOutcome:
    """The edited meeting, what changed, and how the Yes and Maybe were told of a new place."""

    meeting: Meeting
    changed: tuple[str, ...]
    told: Delivery | None
    redrawn: int


@dataclass(frozen=True)
class Edit:
    """What an edit did, or why not: `not_open`, `nothing` (it reads so already), or `form`
    with the wrong field (a catalog key suffix)."""

    outcome: EditOutcome | None = None
    refusal: Literal["not_open", "nothing", "form"] | None = None
    field: str = ""


def may_edit(meeting: Meeting) -> bool:
    """Only an open meeting is edited."""
    return meeting.status == "open"


def parse_edit(text: str, meeting: Meeting, timezone: ZoneInfo, now: datetime) -> dict[str, object]:
    """Read `key=value | key=value` (title, place, agenda, deadline, capacity), checked.

    `capacity=none` removes the capacity. Raises FormError naming the wrong field.
    """
    changes: dict[str, object] = {}
    for part in (p.strip() for p in text.split("|")):
        match = _OPTION.match(part)
        if not match or match.group(1) in changes:
            raise FormError("edit")
        key, value = match.group(1), match.group(2).strip()
        changes[key] = _value(key, value, meeting, timezone, now)
    return {k: v for k, v in changes.items() if getattr(meeting, k) != v}


def _value(key: str, value: str, meeting: Meeting, timezone: ZoneInfo, now: datetime) -> object:
    if key in ("title", "place"):
        if not value or len(value) > (MAX_TITLE if key == "title" else MAX_PLACE):
            raise FormError(key)
        return value
    if key == "agenda":
        if len(value) > MAX_AGENDA:
            raise FormError("agenda")
        return value
    if key == "deadline":
        deadline = parse_local_datetime(value, timezone)
        if not now < deadline <= meeting.starts_at:
            raise FormError("deadline")
        return deadline
    if value.lower() in ("none", "0"):
        return None
    if not value.isdigit() or not 0 < int(value) <= 100000:
        raise FormError("capacity")
    return int(value)


async def edit_meeting(service: MeetingService, meeting: Meeting, text: str) -> Edit:
    """Apply `key=value | ...` to an open meeting (see `parse_edit`): store the changes,
    redraw every invitation, tell Yes and Maybe of a new place.

    Seats follow a new capacity: whoever it seats off the waitlist is told. A new deadline
    moves the reminder of those who have not answered.
    """
    if not may_edit(meeting):
        return Edit(refusal="not_open")
    now = service.now()
    try:
        changes = parse_edit(text, meeting, service.tz, now)
    except FormError as error:
        return Edit(refusal="form", field=error.field)
    if not changes:
        return Edit(refusal="nothing")
    seated_before = await service.answers.seated(meeting)
    edited = await service.repo.edit(meeting, changes, now)
    if edited is None:
        return Edit(refusal="not_open")
    if "deadline" in changes:
        due = reminder_times(edited.starts_at, edited.deadline)
        await service.reminders.repo.replace_reminders(
            edited.id, {"deadline": due["deadline"]}, now
        )
        service.reminders.drop(edited.id)
        await service.reminders.schedule(edited.id)
    invitees = await service.repo.invitees(edited.id)
    if "capacity" in changes and edited.capacity != meeting.capacity:
        before = set(seated_before[: meeting.capacity] if meeting.capacity else seated_before)
        after = set(seated_before[: edited.capacity] if edited.capacity else seated_before)
        promoted = [i for i in invitees if i.person_id in after - before]
        await service.tell(promoted, "meetings.promoted", id=edited.id, title=edited.title)
    told = None
    if "place" in changes:
        coming = [i for i in invitees if i.response in ("yes", "maybe")]
        told = await service.tell(
            coming,
            "meeting_day.place_changed",
            id=edited.id,
            title=edited.title,
            place=edited.place,
        )
    redrawn = 0
    for invitee in invitees:
        if invitee.chat_id is not None and invitee.message_id is not None:
            service.redraws.queue(edited.id, invitee.person_id, invitee.chat_id, invitee.message_id)
            redrawn += 1
    service.summary_changed(edited.id)
    changed = tuple(name for name in EDITABLE if name in changes)
    return Edit(EditOutcome(edited, changed, told, redrawn))
