"""The files a meeting produces: an iCalendar event and the CSV of answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.meetings.rules import tally
from bot.spreadsheet import csv_document
from storage.meeting_attendance import Presence, Proxy
from storage.meetings import Invitee, Meeting
from storage.timestamps import to_db

__all__ = ["ATTENDANCE_COLUMNS", "CSV_COLUMNS", "attendance_csv", "ics_event", "rsvp_csv"]

CSV_COLUMNS = (
    "meeting_id",
    "name",
    "unit",
    "role",
    "telegram_id",
    "response",
    "responded_at",
    "note",
)

ATTENDANCE_COLUMNS = (
    "meeting_id",
    "name",
    "unit",
    "role",
    "telegram_id",
    "response",
    "checked_in_at",
    "proxy_holder",
    "walk_in",
)


def ics_event(meeting: Meeting, now: datetime, hours: int = 2) -> bytes:
    """An iCalendar file with the meeting as one event (UTC times, two hours long)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Youxie bot//meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"meeting-{meeting.id}-v{meeting.version}@youxie-bot")
    event.add("sequence", meeting.version - 1)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", meeting.starts_at.astimezone(UTC))
    event.add("dtend", (meeting.starts_at + timedelta(hours=hours)).astimezone(UTC))
    event.add("summary", meeting.title)
    event.add("location", meeting.place)
    if meeting.agenda:
        event.add("description", meeting.agenda)
    if meeting.status == "cancelled":
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    content: bytes = calendar.to_ical()
    return content


def rsvp_csv(meeting: Meeting, invitees: list[Invitee], seated: list[int]) -> bytes:
    """The roster of a meeting as CSV for spreadsheets (see `bot.spreadsheet`)."""
    waitlist = {i.person_id: n for n, i in enumerate(tally(meeting, invitees, seated).waitlist, 1)}
    rows: list[list[object]] = []
    for invitee in invitees:
        notes = [invitee.note] if invitee.note else []
        if invitee.person_id in waitlist:
            notes.append(f"waitlist {waitlist[invitee.person_id]}")
        if not invitee.reachable and invitee.response == "none":
            notes.append("unreachable")
        if invitee.previous_response and invitee.previous_response != "none":
            notes.append(f"before the move: {invitee.previous_response}")
        rows.append(
            [
                meeting.id,
                invitee.name,
                invitee.unit,
                invitee.role.value,
                invitee.telegram_id,
                invitee.response,
                to_db(invitee.responded_at) if invitee.responded_at else "",
                "; ".join(notes),
            ]
        )
    return csv_document(CSV_COLUMNS, rows)


def attendance_csv(
    meeting: Meeting,
    invitees: list[Invitee],
    presence: list[Presence],
    proxies: list[Proxy],
    tz: ZoneInfo,
) -> bytes:
    """Who was present: every invitee, then the walk-ins; UTF-8 with a byte-order mark.

    `checked_in_at` is ISO 8601 to the second in the association's zone (empty when absent);
    `proxy_holder` names whom an absent council member entrusted; `walk_in` is yes or no.
    """
    seen = {p.person_id: p for p in presence}
    holders = {x.person_id: x.holder_name for x in proxies}

    def when(person_id: int) -> str:
        found = seen.get(person_id)
        return found.checked_in_at.astimezone(tz).isoformat(timespec="seconds") if found else ""

    rows: list[list[object]] = [
        [
            meeting.id,
            i.name,
            i.unit,
            i.role.value,
            i.telegram_id,
            i.response,
            when(i.person_id),
            holders.get(i.person_id, ""),
            "no",
        ]
        for i in invitees
    ]
    rows += [
        [
            meeting.id,
            p.name,
            p.unit,
            p.role.value,
            p.telegram_id,
            "none",
            when(p.person_id),
            "",
            "yes",
        ]
        for p in presence
        if p.walk_in
    ]
    return csv_document(ATTENDANCE_COLUMNS, rows)
