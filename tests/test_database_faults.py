"""A busy or full database: nothing is said to be saved that was not, and the bot recovers."""

from __future__ import annotations

import asyncio

from storage.faults import DatabaseUnavailable
from storage.roster import MENU_NOTE_PATIENCE
from tests.faults_support import InstantWaits, OtherProcessLock, fill_database, make_room
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import answers, confirmed_meeting, council, invitation_of, tap


def only_database_errors(bot: BotHarness) -> None:
    bot.errors_expected = True
    assert bot.errors and all(isinstance(e, DatabaseUnavailable) for e in bot.errors)


async def test_a_tap_while_another_program_holds_the_database_is_not_recorded(
    bot: BotHarness,
) -> None:
    [ann] = await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    bot.app.bot_data.db.waits = InstantWaits(budget=4.0)
    with OtherProcessLock(bot.app.bot_data.settings.db_path) as other:
        calls = await tap(bot, ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
        assert bot.alerts(calls) == [
            "Sorry, that did not go through and nothing was saved: the database is busy just"
            " now. Please try again in a moment."
        ]
        assert (await answers(bot, meeting.id))["Member 000"].response == "none"
        alert = bot.texts_to(ADMIN_ID, calls)
        assert len(alert) == 1 and "held by another program" in alert[0]
        other.release()
        # the lock is gone: the very next tap is recorded, no restart needed
        calls = await tap(bot, ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
    assert bot.alerts(calls) == ["Recorded: Yes"]
    assert (await answers(bot, meeting.id))["Member 000"].response == "yes"
    only_database_errors(bot)


async def test_a_waiting_write_does_not_hold_up_other_members(bot: BotHarness) -> None:
    [ann] = await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    gate = asyncio.Event()
    waits = InstantWaits(budget=4.0, gate=gate)
    bot.app.bot_data.db.waits = waits
    with OtherProcessLock(bot.app.bot_data.settings.db_path):
        tapping = asyncio.create_task(
            tap(bot, ann, f"rsvp:{meeting.id}:1:n", invitation_of(bot, 100))
        )
        while waits.pauses == 0:
            await asyncio.sleep(0)
        # the tap is waiting for the lock; someone else's reading command is answered meanwhile
        help_calls = await asyncio.wait_for(bot.send(bot.user(ADMIN_ID), "/help"), 5)
        assert "Commands" in bot.texts_to(ADMIN_ID, help_calls)[0]
        assert not tapping.done()
        gate.set()
        calls = await tapping
    assert "nothing was saved" in bot.alerts(calls)[0]
    only_database_errors(bot)


async def test_a_full_disk_refuses_a_notice_plainly_and_recovers(bot: BotHarness) -> None:
    db = bot.app.bot_data.db
    admin = bot.user(ADMIN_ID, "Sec")
    # two versions, ~6,000 bytes: more than a page holds, so the row needs new pages
    body = "会议改到周五。" * 200 + "\n---\n" + "The meeting moves to Friday. " * 60
    await fill_database(db)
    calls = await bot.send(admin, f"/notice\n{body}")
    told, alert = bot.texts_to(ADMIN_ID, calls)  # the author is secretariat: alerted too
    assert told == (
        "Sorry, that did not go through and nothing was saved: the server's disk is full."
        " The secretariat has been told; please try again later."
    )
    assert "is full: changes are refused and not saved" in alert
    assert await db.fetchall("SELECT id FROM notices") == []
    await make_room(db)
    calls = await bot.send(admin, f"/notice\n{body}")
    assert "Preview of notice #1" in bot.texts_to(ADMIN_ID, calls)[-1]
    only_database_errors(bot)


async def test_a_chinese_member_is_told_in_chinese(bot: BotHarness) -> None:
    [ann] = await council(bot, 1)
    await bot.app.bot_data.db.write_one(
        "UPDATE persons SET language = 'zh' WHERE telegram_id = 100"
    )
    meeting = await confirmed_meeting(bot)
    bot.app.bot_data.db.waits = InstantWaits()
    with OtherProcessLock(bot.app.bot_data.settings.db_path):
        calls = await tap(bot, ann, f"rsvp:{meeting.id}:1:m", invitation_of(bot, 100))
    assert bot.alerts(calls) == ["抱歉，操作没有完成，什么也没有保存：数据库正忙。请稍后再试。"]
    only_database_errors(bot)


async def test_a_tap_on_a_busy_database_waits_once_not_again_for_menu_bookkeeping(
    bot: BotHarness,
) -> None:
    [ann] = await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    roster = bot.roster
    assert await roster.stale_menu_of(100) is not None  # her menu is still to be set
    waits = InstantWaits(budget=4.0)
    bot.app.bot_data.db.waits = waits
    with OtherProcessLock(bot.app.bot_data.settings.db_path):
        calls = await tap(bot, ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
    assert "nothing was saved" in bot.alerts(calls)[0]
    # the answer's write waited out the budget; the menu's note waits half a second at most
    assert waits.clock <= 4.0 + MENU_NOTE_PATIENCE + 1e-6
    assert await roster.stale_menu_of(100) is not None  # noted at a later update
    only_database_errors(bot)
