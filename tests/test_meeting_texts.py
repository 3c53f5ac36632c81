"""What a meeting's preview, summary and a tap's alert say in particular cases: invitees
without Telegram, a cancelled meeting, a full one."""

from __future__ import annotations

from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import add_person, confirmed_meeting, council, invitation_of


async def test_a_cancelled_meetings_summary_has_no_quorum_line(bot: BotHarness) -> None:
    await council(bot, 2)
    meeting = await confirmed_meeting(bot)
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, f"/cancelmeeting {meeting.id}")
    await bot.tap(admin, f"mtgcancel:{meeting.id}")
    [summary] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/meeting {meeting.id}"))[:1]
    assert "Quorum" not in summary and "cancelled" in summary.lower()


async def test_a_waitlisted_yes_is_told_it_is_on_the_waitlist(bot: BotHarness) -> None:
    users = await council(bot, 2)
    await confirmed_meeting(bot, "Dinner | 2026-12-15 19:00 | Hall | capacity=1")
    first = await bot.tap(users[0], "rsvp:1:1:y", invitation_of(bot, 100))
    assert bot.alerts(first) == ["Recorded: Yes"]
    second = await bot.tap(users[1], "rsvp:1:1:y", invitation_of(bot, 101))
    [alert] = bot.alerts(second)
    assert alert.startswith("Recorded: Yes. The meeting is full, so you are on the waitlist")
    assert "(position 1)" in alert


async def test_the_preview_counts_invitees_without_a_telegram_account(bot: BotHarness) -> None:
    await add_person(bot, "Unbound", "council", None)
    admin = bot.user(ADMIN_ID, "Sec", "en")
    calls = await bot.send(admin, "/newmeeting T | 2026-12-15 10:00 | Hall")
    assert (
        "2 people will be invited; 1 of them has no Telegram account"
        in bot.texts_to(ADMIN_ID, calls)[0]
    )
