"""Someone a notice could not reach who then writes to the bot is reachable again."""

from __future__ import annotations

import asyncio

import pytest

from bot.transport import ApiCall, ApiError
from tests.harness import ADMIN_ID, BotHarness
from tests.slow_telegram import add_members

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

LATE = 10_001  # imported with their Telegram id, has not pressed Start yet


async def notice(bot: BotHarness, text: str) -> str:
    """Send a notice to everyone; return the author's final report."""
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, f"/notice\n{text}")
    [confirm] = [d for c in calls for d in c.callback_data() if d.startswith("ntc:ok:")]
    await bot.tap(admin, confirm)
    await asyncio.wait_for(asyncio.gather(*bot.app.bot_data.notices.tasks.values()), 30)
    return bot.texts_to(ADMIN_ID)[-1]


@pytest.mark.parametrize("first_update", ["/start", "hello", "tap"])
async def test_any_update_from_a_never_started_member_makes_them_reachable_again(
    bot: BotHarness, first_update: str
) -> None:
    await add_members(bot, 3)
    started = False

    def respond(call: ApiCall) -> None:
        if call.chat_id == LATE and not started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")

    bot.api.responders["sendMessage"] = respond
    report = await notice(bot, "Before Start")
    assert "never started the bot: 1" in report
    person = await bot.people.get_by_telegram_id(LATE)
    assert person is not None and not person.reachable

    started = True  # they press Start (or write, or tap a button of an old message)
    member = bot.user(LATE, "Late")
    if first_update == "tap":
        await bot.feed(
            bot.factory.callback(
                member,
                "ntc:unr:1",
                {"message_id": 1, "chat": {"id": LATE, "type": "private"}, "date": 0},
            )
        )
    else:
        await bot.send(member, first_update)
    person = await bot.people.get_by_telegram_id(LATE)
    assert person is not None and person.reachable

    report = await notice(bot, "After Start")
    assert "never started the bot: 0" in report
    assert "delivered: 4" in report
    assert [c.text for c in bot.api.sent(LATE) if c.text == "After Start"] == ["After Start"]
