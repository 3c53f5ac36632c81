"""Authorisation and state checks that each change nothing when they refuse."""

from __future__ import annotations

import pytest

from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import add_person, answers, confirmed_meeting, council, tap
from tests.test_notices import confirm_data

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

SECOND = 5001


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
