"""The .ics file of a meeting: valid iCalendar that calendar programs read back unchanged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from bot.meetings.files import ics_event
from storage.meetings import Meeting

START = datetime(2026, 12, 15, 6, 30, tzinfo=UTC)


def meeting(**values: object) -> Meeting:
    fields: dict[str, object] = {
        "id": 7,
        "title": "Council meeting",
        "starts_at": START,
        "place": "Kunming Hall, room 2",
        "agenda": "",
        "deadline": START - timedelta(days=1),
        "audience": "council",
        "capacity": None,
        "quorum": None,
        "status": "open",
        "version": 2,
        "created_by": 1,
        "summary_chat_id": None,
        "summary_message_id": None,
        "summary_language": None,
    }
    fields.update(values)
    return Meeting(**fields)  # type: ignore[arg-type]


def only_event(content: bytes) -> Calendar:
    calendar = Calendar.from_ical(content)
    assert calendar["version"] == "2.0" and calendar["method"] == "PUBLISH"
    [event] = calendar.walk("VEVENT")
    return event


def test_the_event_has_the_meeting_times_in_utc_and_a_stable_uid() -> None:
    now = datetime(2026, 12, 1, 1, 2, 3, tzinfo=UTC)
    event = only_event(ics_event(meeting(), now))
    assert event.decoded("dtstart") == START
    assert event.decoded("dtend") == START + timedelta(hours=2)
    assert event.decoded("dtstamp") == now
    assert str(event["uid"]) == "meeting-7-v2@youxie-bot"
    assert event["sequence"] == 1
    assert "status" not in event


def test_commas_semicolons_new_lines_and_long_chinese_text_read_back_unchanged() -> None:
    title = "友协理事会第三次会议；议程：预算, 人事\\审议" * 4
    agenda = "1. 预算, 审议;\n2. 人事"
    content = ics_event(meeting(title=title, agenda=agenda, place="昆明, 会议室"), START)
    assert all(len(line) <= 75 for line in content.split(b"\r\n"))
    event = only_event(content)
    assert str(event["summary"]) == title
    assert str(event["description"]) == agenda
    assert str(event["location"]) == "昆明, 会议室"


def test_a_cancelled_meeting_is_a_cancelled_event() -> None:
    event = only_event(ics_event(meeting(status="cancelled"), START))
    assert str(event["status"]) == "CANCELLED"
