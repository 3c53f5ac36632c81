"""English counts agree with their nouns: 1 person, 2 people."""

from __future__ import annotations

from bot.i18n import t
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import confirmed_meeting, council, invitation_of, tap


async def test_one_reminded_person_reads_as_one(bot: BotHarness) -> None:
    [ann] = await council(bot, 1)  # with the secretariat member, who is invited too
    meeting = await confirmed_meeting(bot)
    calls = await bot.send(bot.user(ADMIN_ID), f"/remind {meeting.id}")
    assert "reminder sent to 2 people who have not answered" in bot.texts_to(ADMIN_ID, calls)[-1]
    await tap(bot, ann, f"rsvp:{meeting.id}:1:n", invitation_of(bot, 100))
    calls = await bot.send(bot.user(ADMIN_ID), f"/remind {meeting.id}")
    assert "reminder sent to 1 person who has not answered" in bot.texts_to(ADMIN_ID, calls)[-1]


async def test_one_person_told_of_a_cancellation_reads_as_one(bot: BotHarness) -> None:
    meeting = await confirmed_meeting(bot)  # the secretariat member alone is invited
    admin = bot.user(ADMIN_ID)
    await bot.send(admin, f"/cancelmeeting {meeting.id}")
    calls = await tap(bot, admin, f"mtgcancel:{meeting.id}")
    assert "1 person was told" in bot.texts_to(ADMIN_ID, calls)[-1]


def test_counts_pick_the_word_and_chinese_needs_none() -> None:
    assert t("en", "notices.detail_action_edit", id=2, status="sent", total=1).endswith("1 copy")
    assert t("en", "notices.detail_action_edit", id=2, status="sent", total=3).endswith("3 copies")
    assert "1 recipient)" in t(
        "en",
        "notices.report",
        id=1,
        total=1,
        delivered=1,
        unconfirmed=0,
        blocked=0,
        never_started=0,
        failed=0,
    )
    assert t("zh", "meetings.people", count=1) == "1 人"
