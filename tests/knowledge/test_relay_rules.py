"""Who may pass an uncovered question on and who may answer it; the first answer wins."""

from __future__ import annotations

from typing import Any

from storage.people import Role
from storage.roster import RosterRepository
from tests.harness import ADMIN_ID, BotHarness
from tests.roster_helpers import add_entry, person_of

PARKING = "Is there parking near the association's office?"
SECOND = 5001


async def _offer(bot: BotHarness, member: dict[str, Any]) -> str:
    """Ask an uncovered question; the data of the button that passes it on."""
    calls = await bot.send(member, PARKING)
    [offer] = [c for c in calls if c.chat_id == member["id"] and c.callback_data()]
    return offer.callback_data()[0]


async def _reply_button(bot: BotHarness, member: dict[str, Any]) -> str:
    """Pass a question on; the data of the Reply button the secretariat got."""
    calls = await bot.tap(member, await _offer(bot, member))
    incoming = next(c for c in calls if c.chat_id == ADMIN_ID and c.callback_data())
    return incoming.callback_data()[0]


async def test_only_the_asker_passes_their_question_on(bot: BotHarness) -> None:
    await bot.send(bot.user(ADMIN_ID), "/start")
    asker, other = bot.user(71, "Li Lei"), bot.user(72, "Anna")
    send = await _offer(bot, asker)
    await bot.send(other, "/start")
    calls = await bot.tap(other, send)  # a copy of the button reaching someone else
    assert bot.alerts(calls) == ["This question has already been passed on."]
    assert bot.texts_to(ADMIN_ID, calls) == []
    calls = await bot.tap(asker, send)
    [incoming] = bot.texts_to(ADMIN_ID, calls)
    assert "Li Lei" in incoming and "parking" in incoming


async def test_a_question_not_passed_on_cannot_be_answered(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID)
    await bot.send(admin, "/start")
    send = await _offer(bot, bot.user(71, "Li Lei"))
    calls = await bot.tap(admin, send.replace(":send:", ":reply:"))
    assert bot.alerts(calls) == ["This question has already been answered."]
    calls = await bot.send(admin, "Yes, behind the building.")
    assert bot.texts_to(71, calls) == []


async def test_the_first_answer_wins(bot: BotHarness) -> None:
    admin, second = bot.user(ADMIN_ID, "Sec"), bot.user(SECOND, "Wang")
    await add_entry(bot, "Wang", Role.SECRETARIAT, telegram_id=SECOND)
    await bot.send(admin, "/start")
    reply_data = await _reply_button(bot, bot.user(71, "Li Lei"))
    await bot.tap(admin, reply_data)
    await bot.tap(second, reply_data)
    calls = await bot.send(admin, "Yes, behind the building.")
    assert any("delivered" in text for text in bot.texts_to(ADMIN_ID, calls))
    calls = await bot.send(second, "No, there is none.")
    assert bot.texts_to(SECOND, calls) == ["This question has already been answered."]
    assert bot.texts_to(71, calls) == []


async def test_an_answerer_no_longer_in_the_secretariat_sends_nothing(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/start")
    reply_data = await _reply_button(bot, bot.user(71, "Li Lei"))
    await bot.tap(admin, reply_data)
    person = await person_of(bot, ADMIN_ID)
    await RosterRepository(bot.app.bot_data.db).change_role(
        person.id, Role.MEMBER, None, bot.clock.now(), "demote"
    )
    calls = await bot.send(admin, "Yes, behind the building.")
    assert bot.texts_to(71, calls) == []
    [refusal] = bot.texts_to(ADMIN_ID, calls)
    assert "secretariat" in refusal
