"""Invitations and reminders wait out a database that refuses their writes, then finish."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.transport import ApiCall
from tests.faults_support import InstantWaits, OtherProcessLock, fill_database, make_room
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import FORM, answers, council, service, tap

MEMBERS = 30


def invitations_to(bot: BotHarness, telegram_id: int) -> list[str]:
    """The invitations a member received (not their redraws)."""
    return [
        call.text
        for call in bot.api.calls
        if call.method == "sendMessage"
        and call.chat_id == telegram_id
        and "Invitation to meeting" in call.text
    ]


def after_sends(
    bot: BotHarness, count: int, fault: Callable[[], Awaitable[None]]
) -> list[asyncio.Task[None]]:
    """Start `fault` at the round's `count`th message; that send and the later ones are
    answered once the fault is in place (so the round meets it mid-way)."""
    seen = 0
    started: list[asyncio.Task[None]] = []
    show = bot.api.show

    async def slow_after_fault(call: ApiCall, result: object) -> None:
        nonlocal seen
        if call.method == "sendMessage" and call.chat_id != ADMIN_ID:
            seen += 1
            if seen == count:
                started.append(asyncio.ensure_future(fault()))
            if seen >= count:
                await asyncio.wait(started)
        await show(call, result)

    bot.api.show = slow_after_fault  # type: ignore[method-assign]
    return started


def taken(lock: OtherProcessLock) -> Callable[[], Awaitable[None]]:
    """Another program taking the write lock (it waits for the bot's transaction to end)."""

    async def take() -> None:
        await asyncio.to_thread(lock.__enter__)

    return take


async def confirm(bot: BotHarness) -> list[ApiCall]:
    """The secretariat calls the meeting and confirms it; the calls made meanwhile."""
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, f"/newmeeting {FORM}")
    preview = next(call for call in calls if call.callback_data())
    return await bot.tap(admin, preview.callback_data()[0], bot.api.last_message_to(ADMIN_ID))


def waiting_texts(bot: BotHarness) -> list[str]:
    return [text for text in bot.texts_to(ADMIN_ID) if "waiting" in text]


async def invited_once_and_answerable(bot: BotHarness, users: list[dict[str, object]]) -> None:
    """Every member got one invitation, recorded with its message, so a tap works after."""
    for user in users:
        assert len(invitations_to(bot, int(str(user["id"])))) == 1, user["id"]
    meeting = (await service(bot).repo.list_open(bot.clock.now()))[-1]
    people = await answers(bot, meeting.id)
    assert {people[f"Member {n:03d}"].delivery for n in range(len(users))} == {"sent"}
    calls = await tap(bot, users[-1], f"rsvp:{meeting.id}:1:y")
    assert any("Recorded" in text for text in bot.alerts(calls))
    assert (await answers(bot, meeting.id))[f"Member {len(users) - 1:03d}"].response == "yes"


async def test_invitations_wait_while_another_program_holds_the_database(
    bot: BotHarness,
) -> None:
    users = await council(bot, MEMBERS)
    svc = service(bot)
    bot.app.bot_data.db.waits = InstantWaits()
    lock = OtherProcessLock(bot.app.bot_data.settings.db_path)
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 4:
            lock.release()  # the other program is done: the next try goes through

    svc.rounds.pause = pause
    taking = after_sends(bot, 10, taken(lock))  # in the middle of the round
    try:
        calls = await confirm(bot)
    finally:
        await asyncio.gather(*taking)
        lock.release()
    assert pauses[:4] == [0.5, 1.0, 2.0, 4.0]
    assert waiting_texts(bot) == [
        "⏸ Meeting #1: the invitations are waiting: another program is holding the database."
        " Nothing is lost and nobody gets one twice; sending goes on by itself once the"
        " database takes writes again."
    ]
    assert f"{MEMBERS + 1} sent, 0 unreachable, 0 failed" in bot.texts_to(ADMIN_ID, calls)[-1]
    await invited_once_and_answerable(bot, users)


async def test_invitations_wait_out_a_full_disk(bot: BotHarness) -> None:
    users = await council(bot, 200)  # outbox pages full enough that recording needs new ones
    svc = service(bot)
    db = bot.app.bot_data.db
    tries: list[float] = []
    filled = asyncio.Event()

    async def pause(seconds: float) -> None:
        tries.append(seconds)
        await asyncio.sleep(0)
        if filled.is_set() and len(tries) >= 3:
            await make_room(db)  # space was freed

    async def fill() -> None:
        await fill_database(db)
        filled.set()

    svc.rounds.pause = pause
    filling = after_sends(bot, 10, fill)
    calls = await confirm(bot)  # the disk fills up while the round goes on
    await asyncio.gather(*filling)
    assert filled.is_set() and len(tries) >= 3
    assert len(waiting_texts(bot)) == 1
    assert "the disk holding the database is full" in waiting_texts(bot)[0]
    assert "201 sent, 0 unreachable, 0 failed" in bot.texts_to(ADMIN_ID, calls)[-1]
    await invited_once_and_answerable(bot, users)


async def test_a_reminder_round_waits_for_the_database_and_reminds_everyone_once(
    bot: BotHarness,
) -> None:
    await council(bot, MEMBERS)
    svc = service(bot)
    await confirm(bot)
    bot.app.bot_data.db.waits = InstantWaits()
    lock = OtherProcessLock(bot.app.bot_data.settings.db_path)
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 3:
            lock.release()

    svc.rounds.pause = pause
    taking = after_sends(bot, 5, taken(lock))
    admin = bot.user(ADMIN_ID, "Sec")
    try:
        calls = await bot.send(admin, "/remind 1")
    finally:
        await asyncio.gather(*taking)
        lock.release()
    assert len(pauses) >= 3
    assert waiting_texts(bot) == [
        "⏸ Meeting #1: the reminders are waiting: another program is holding the database."
        " Nothing is lost and nobody gets one twice; sending goes on by itself once the"
        " database takes writes again."
    ]
    assert f"reminder sent to {MEMBERS + 1} people" in bot.texts_to(ADMIN_ID, calls)[-1]
    for n in range(MEMBERS):
        reminders = [text for text in bot.texts_to(100 + n) if "Reminder" in text]
        assert len(reminders) == 1, n
