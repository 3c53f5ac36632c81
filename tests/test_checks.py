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


async def test_an_answer_set_by_the_secretariat_needs_an_open_meeting(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    person = (await answers(bot, meeting.id))["Member 000"].person_id
    admin = bot.user(ADMIN_ID)
    calls = await bot.send(admin, f"/cancelmeeting {meeting.id}")
    [ask] = [c for c in calls if c.callback_data()]
    await tap(bot, admin, ask.callback_data()[0])
    calls = await bot.send(admin, f"/meeting {meeting.id} set {person} yes")
    assert "no longer open" in bot.texts_to(ADMIN_ID, calls)[-1]
    assert (await answers(bot, meeting.id))["Member 000"].response == "none"


async def _cancel(bot: BotHarness, meeting_id: int) -> None:
    admin = bot.user(ADMIN_ID)
    calls = await bot.send(admin, f"/cancelmeeting {meeting_id}")
    [ask] = [c for c in calls if c.callback_data()]
    await tap(bot, admin, ask.callback_data()[0])


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


async def test_a_reminder_for_a_cancelled_meeting_sends_nothing(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    await _cancel(bot, meeting.id)
    before = len(bot.api.sent(100))
    calls = await bot.send(bot.user(ADMIN_ID), f"/remind {meeting.id}")
    assert "no longer open" in bot.texts_to(ADMIN_ID, calls)[-1]
    assert len(bot.api.sent(100)) == before


async def test_presence_entered_by_hand_needs_an_open_meeting(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    person = (await answers(bot, meeting.id))["Member 000"].person_id
    await _cancel(bot, meeting.id)
    calls = await bot.send(bot.user(ADMIN_ID), f"/meeting {meeting.id} present {person}")
    assert "no longer open" in bot.texts_to(ADMIN_ID, calls)[-1]
    assert await bot.app.bot_data.db.fetchall("SELECT * FROM meeting_attendance") == []
    assert await bot.app.bot_data.db.fetchall("SELECT * FROM audit_log") == []


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


async def test_a_cancelled_meeting_offers_no_second_cancellation(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    await _cancel(bot, meeting.id)
    calls = await bot.send(bot.user(ADMIN_ID), f"/cancelmeeting {meeting.id}")
    assert "no longer open" in bot.texts_to(ADMIN_ID, calls)[-1]
    assert [c for c in calls if c.callback_data()] == []


async def test_a_cancelled_meeting_has_no_check_in_code(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    await _cancel(bot, meeting.id)
    calls = await bot.send(bot.user(ADMIN_ID), f"/checkin {meeting.id}")
    assert "no longer open" in bot.texts_to(ADMIN_ID, calls)[-1]
    assert [c for c in calls if c.method == "sendPhoto"] == []
    row = await bot.app.bot_data.db.fetchone("SELECT checkin_code FROM meetings")
    assert row is not None and row[0] is None


async def test_a_cancelled_meeting_cannot_be_edited(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    await _cancel(bot, meeting.id)
    calls = await bot.send(bot.user(ADMIN_ID), f"/meeting {meeting.id} edit place=Other hall")
    assert "no longer open" in bot.texts_to(ADMIN_ID, calls)[-1]
    row = await bot.app.bot_data.db.fetchone("SELECT place FROM meetings")
    assert row is not None and row[0] == meeting.place


async def test_minutes_of_a_cancelled_meeting_are_not_taken(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    await _cancel(bot, meeting.id)
    calls = await bot.send(bot.user(ADMIN_ID), f"/minutes {meeting.id}")
    assert "no longer open" in bot.texts_to(ADMIN_ID, calls)[-1]
    calls = await bot.send(bot.user(ADMIN_ID), "Minutes text")
    assert not any("Confirm" in text for text in bot.texts_to(ADMIN_ID, calls))


async def test_a_notice_draft_is_not_shown_as_a_notice(bot: BotHarness) -> None:
    await add_person(bot, "Reader", "member", 300)
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/notice\nStill a draft")
    calls = await bot.send(admin, "/notices 1")
    texts = bot.texts_to(ADMIN_ID, calls)
    assert not any("Still a draft" in text for text in texts)
    assert "There is no sent or scheduled notice #1" in texts[-1]
