"""The secretariat is told when a member blocks the bot or leaves its chat, and comes back."""

from __future__ import annotations

from storage.people import Role
from tests.harness import ADMIN_ID, BotHarness
from tests.roster_helpers import add_entry


async def test_a_council_member_blocking_the_bot_is_news_with_the_reachable_count(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, "/start")
    await add_entry(bot, "Li Hua", Role.COUNCIL, "en", telegram_id=61)
    await add_entry(bot, "Wang Fang", Role.COUNCIL, "zh", telegram_id=62)
    li = bot.user(61, "Li")
    calls = await bot.feed_and_collect(bot.factory.my_chat_member(li, "kicked"))
    [news] = bot.texts_to(ADMIN_ID, calls)
    assert news.startswith("🚪 Li Hua (#") and "blocked the bot or left its chat" in news
    assert "council member: 1 of 2 reachable" in news
    assert bot.texts_to(62, calls) == []  # council members are not told
    calls = await bot.feed_and_collect(bot.factory.my_chat_member(li, "kicked"))
    assert bot.texts_to(ADMIN_ID, calls) == []  # told once
    calls = await bot.feed_and_collect(bot.factory.my_chat_member(li, "member"))
    [back] = bot.texts_to(ADMIN_ID, calls)
    assert back.startswith("↩️ Li Hua (#") and "council member: 2 of 2 reachable" in back


async def test_a_guest_leaving_is_no_news(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, "/start")
    guest = bot.user(90, "Ivan")
    await bot.send(guest, "/start")
    calls = await bot.feed_and_collect(bot.factory.my_chat_member(guest, "kicked"))
    assert bot.texts_to(ADMIN_ID, calls) == []
