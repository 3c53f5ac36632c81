"""Races on a notice's buttons: one decision wins, and the author is told what happened."""

from __future__ import annotations

import asyncio

import pytest

from tests.harness import ADMIN_ID, BotHarness
from tests.slow_telegram import add_members

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

MEMBERS = 20


async def settle(bot: BotHarness) -> None:
    tasks = list(bot.app.bot_data.notices.tasks.values())
    if tasks:
        await asyncio.wait_for(asyncio.gather(*tasks), 30)


@pytest.mark.parametrize(
    "confirm_first", [True, False], ids=["confirm-then-cancel", "cancel-then-confirm"]
)
async def test_confirm_and_cancel_tapped_together_one_wins_and_the_author_is_told_which(
    bot: BotHarness, confirm_first: bool
) -> None:
    await add_members(bot, MEMBERS)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\nRace notice")
    preview = bot.api.last_message_to(ADMIN_ID)
    data = [d for c in calls for d in c.callback_data() if d.startswith(("ntc:ok:", "ntc:no:"))]
    confirm = next(d for d in data if d.startswith("ntc:ok:"))
    cancel = next(d for d in data if d.startswith("ntc:no:"))
    first, second = (confirm, cancel) if confirm_first else (cancel, confirm)
    answers = await asyncio.gather(
        bot.tap(admin, first, message=preview), bot.tap(admin, second, message=preview)
    )
    await settle(bot)
    told = [text for calls in answers for text in bot.texts_to(ADMIN_ID, calls)]
    received = sum(1 for n in range(MEMBERS) if bot.api.sent(10_000 + n))
    notice = await bot.app.bot_data.notices.repo.get(1)
    assert notice is not None
    if notice.status == "cancelled":
        assert received == 0
        assert any("cancelled; nothing was sent" in text for text in told)
        assert not any("being sent" in text for text in told)
    else:
        assert received == MEMBERS
        assert not any("cancelled; nothing was sent" in text for text in told)
        assert any("already confirmed" in text for text in told)
