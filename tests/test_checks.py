"""Authorisation and state checks that each change nothing when they refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

import pytest

from bot.meetings.rules import EntryRefusal, entry_refusal, may_remind
from storage.meetings import Meeting
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import add_person, answers, confirmed_meeting, council, tap
from tests.test_notices import confirm_data

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

SECOND = 5001


def _meeting(
    status: Literal["draft", "open", "cancelled"] = "open",
    starts_at: datetime = datetime(2026, 12, 15, 6, 30, tzinfo=UTC),
) -> Meeting:
    """A meeting as stored, in the given state."""
    return Meeting(
        id=1,
        title="Council",
        starts_at=starts_at,
        place="Hall",
        agenda="",
        deadline=starts_at - timedelta(days=1),
        audience="council",
        capacity=None,
        quorum=None,
        status=status,
        version=1,
        created_by=1,
        summary_chat_id=None,
        summary_message_id=None,
        summary_language=None,
    )


async def test_only_the_author_confirms_a_notice_draft(bot: BotHarness) -> None:
    await add_person(bot, "Second", "secretariat", SECOND)
    await add_person(bot, "Reader", "member", 300)
    admin, second = bot.user(ADMIN_ID, "Sec"), bot.user(SECOND, "Second")
    calls = await bot.send(admin, "/notice\nHello members")
    data = confirm_data(calls)
    calls = await bot.tap(second, data, message=bot.api.last_message_to(ADMIN_ID))
    assert any("has already been handled" in call.text for call in calls)
    rows = await bot.app.bot_data.db.fetchall("SELECT status FROM notices")
    assert [row[0] for row in rows] == ["draft"]
    assert bot.api.sent(300) == []


async def _cancel(bot: BotHarness, meeting_id: int) -> None:
    admin = bot.user(ADMIN_ID)
    calls = await bot.send(admin, f"/cancelmeeting {meeting_id}")
    [ask] = [c for c in calls if c.callback_data()]
    await tap(bot, admin, ask.callback_data()[0])


# What the secretariat may no longer do once a meeting is cancelled, each typed as a command.
CANCELLED_MEETING_COMMANDS = {
    "answer by hand": "/meeting {meeting} set {person} yes",
    "presence by hand": "/meeting {meeting} present {person}",
    "reminder": "/remind {meeting}",
    "second cancellation": "/cancelmeeting {meeting}",
    "check-in code": "/checkin {meeting}",
    "edit": "/meeting {meeting} edit place=Other hall",
    "minutes": "/minutes {meeting}",
}


async def _meeting_rows(bot: BotHarness) -> list[tuple[object, ...]]:
    """Everything a meeting's commands could change, in one comparable value."""
    db = bot.app.bot_data.db
    tables = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND (name LIKE 'meeting%'"
        " OR name IN ('invitations', 'audit_log', 'notices', 'notice_outbox')) ORDER BY name"
    )
    rows: list[tuple[object, ...]] = []
    for (table,) in tables:
        found = await db.fetchall(f"SELECT * FROM {table}")
        rows += [(table, *tuple(row)) for row in found]
    return rows


@pytest.mark.parametrize("action", list(CANCELLED_MEETING_COMMANDS))
async def test_a_cancelled_meeting_refuses_and_changes_nothing(
    bot: BotHarness, action: str
) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    person = (await answers(bot, meeting.id))["Member 000"].person_id
    await _cancel(bot, meeting.id)
    before, sent_before = await _meeting_rows(bot), len(bot.api.sent(100))
    admin = bot.user(ADMIN_ID)
    command = CANCELLED_MEETING_COMMANDS[action].format(meeting=meeting.id, person=person)
    calls = await bot.send(admin, command)
    assert "no longer open" in bot.texts_to(ADMIN_ID, calls)[-1]
    assert [c for c in calls if c.callback_data() or c.method == "sendPhoto"] == []
    calls = await bot.send(admin, "Minutes text")  # nothing waits for minutes either
    assert not any("Confirm" in text for text in bot.texts_to(ADMIN_ID, calls))
    assert await _meeting_rows(bot) == before
    assert len(bot.api.sent(100)) == sent_before


async def test_an_answer_for_someone_not_invited_is_refused(bot: BotHarness) -> None:
    await council(bot, 1)
    outsider = await add_person(bot, "Outsider", "member", 300)
    meeting = await confirmed_meeting(bot)
    calls = await bot.send(bot.user(ADMIN_ID), f"/meeting {meeting.id} set {outsider} yes")
    assert "is not invited" in bot.texts_to(ADMIN_ID, calls)[-1]
    assert "Outsider" not in await answers(bot, meeting.id)
    assert await bot.app.bot_data.db.fetchall("SELECT * FROM audit_log") == []


def test_the_secretariat_sets_answers_of_invitees_of_open_meetings_only() -> None:
    meeting = _meeting(status="open")
    assert entry_refusal(meeting, invited=True) is None
    assert entry_refusal(meeting, invited=False) is EntryRefusal.NOT_INVITED
    cancelled = _meeting(status="cancelled")
    assert entry_refusal(cancelled, invited=True) is EntryRefusal.NOT_OPEN


def test_reminders_go_out_before_the_start_of_an_open_meeting_only() -> None:
    starts = datetime(2026, 12, 15, 6, 30, tzinfo=UTC)
    open_meeting = _meeting(status="open", starts_at=starts)
    assert may_remind(open_meeting, starts - timedelta(minutes=1))
    assert not may_remind(open_meeting, starts)
    cancelled = _meeting(status="cancelled", starts_at=starts)
    assert not may_remind(cancelled, starts - timedelta(days=1))


async def test_presence_entered_by_hand_needs_a_roster_entry(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    calls = await bot.send(bot.user(ADMIN_ID), f"/meeting {meeting.id} present 9999")
    assert "no roster entry with id 9999" in bot.texts_to(ADMIN_ID, calls)[-1]
    assert await bot.app.bot_data.db.fetchall("SELECT * FROM meeting_attendance") == []


async def test_presence_entered_by_hand_is_audited(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    person = (await answers(bot, meeting.id))["Member 000"].person_id
    calls = await bot.send(bot.user(ADMIN_ID), f"/meeting {meeting.id} present {person}")
    assert "is recorded present" in bot.texts_to(ADMIN_ID, calls)[-1]
    rows = await bot.app.bot_data.db.fetchall("SELECT action, detail FROM audit_log")
    assert [tuple(row) for row in rows] == [
        ("meeting_presence_set", f"meeting #{meeting.id}: present")
    ]


async def test_a_notice_draft_is_not_shown_as_a_notice(bot: BotHarness) -> None:
    await add_person(bot, "Reader", "member", 300)
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/notice\nStill a draft")
    calls = await bot.send(admin, "/notices 1")
    texts = bot.texts_to(ADMIN_ID, calls)
    assert not any("Still a draft" in text for text in texts)
    assert "There is no sent or scheduled notice #1" in texts[-1]
