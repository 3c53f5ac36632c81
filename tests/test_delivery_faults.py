"""A delivery waits out a database that refuses its writes, then finishes with a true report."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.config import Settings
from tests.faults_support import InstantWaits, OtherProcessLock, fill_database, make_room
from tests.harness import ADMIN_ID, BotHarness
from tests.test_notices import add_person, confirm_data, notice_texts, service, settle


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        db_path=tmp_path / "association.sqlite3",
        admin_ids=frozenset({ADMIN_ID}),
        broadcast_rate=1000,
    )


async def test_a_delivery_waits_while_another_program_holds_the_database(
    bot: BotHarness,
) -> None:
    for number in range(1, 6):
        await add_person(bot, f"Member {number}", 100 + number)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\nThe meeting moves to Friday.")
    bot.app.bot_data.db.waits = InstantWaits()
    svc = service(bot)
    lock = OtherProcessLock(bot.app.bot_data.settings.db_path)
    pauses: list[float] = []

    async def pause(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 4:
            lock.release()  # the other program is done: the next try goes through

    svc.pause = pause
    await bot.tap(admin, confirm_data(calls))
    with lock:  # taken before the delivery's first claim
        await settle(bot)
    assert pauses[:4] == [0.5, 1.0, 2.0, 4.0]
    texts = bot.texts_to(ADMIN_ID)
    waits = [text for text in texts if "is waiting" in text]
    assert waits == [
        "⏸ Notice #1 is waiting: another program is holding the database. Nothing is lost and"
        " nobody gets it twice; the delivery goes on by itself once the database takes writes"
        " again."
    ]
    assert "delivered: 6" in texts[-1] and "(6 recipients)" in texts[-1]
    for number in range(1, 6):
        assert notice_texts(bot, 100 + number) == ["The meeting moves to Friday."]
    assert await svc.outbox.counts(1) == {"sent": 6}
    bot.errors_expected = True


async def test_a_delivery_waits_out_a_full_disk(bot: BotHarness) -> None:
    for number in range(1, 4):
        await add_person(bot, f"Member {number}", 100 + number)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\n" + "会议改到周五。" * 300)
    db = bot.app.bot_data.db
    svc = service(bot)
    tries: list[float] = []
    filled = asyncio.Event()

    async def pause(seconds: float) -> None:
        tries.append(seconds)
        await asyncio.sleep(0)
        if filled.is_set() and len(tries) >= 2:
            await make_room(db)  # space was freed

    svc.pause = pause
    await bot.tap(admin, confirm_data(calls))
    await fill_database(db)  # while the delivery goes on
    filled.set()
    await settle(bot)
    assert tries
    texts = bot.texts_to(ADMIN_ID)
    assert sum("the disk holding the database is full" in text for text in texts) == 1
    assert "delivered: 4" in texts[-1]
    assert all(len(notice_texts(bot, 100 + n)) == 1 for n in range(1, 4))
    assert await svc.outbox.counts(1) == {"sent": 4}
