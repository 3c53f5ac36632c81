"""The secretariat is told when someone binds their account or erases their data."""

from __future__ import annotations

from storage.people import Role
from tests.harness import ADMIN_ID, BotHarness
from tests.roster_helpers import LINK, add_entry, only_message


async def test_secretariat_is_told_of_a_binding_and_of_an_erasure(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, "/language")
    await bot.tap(admin, "lang:en")
    await add_entry(bot, "Other", Role.COUNCIL, telegram_id=80)
    calls = await bot.send(admin, "/invite Li Hua | Unit | council | en")
    [code] = LINK.findall(only_message(calls, ADMIN_ID).text)
    li = bot.user(61, "Li")
    calls = await bot.send(li, f"/start {code}")
    [news] = bot.texts_to(ADMIN_ID, calls)
    assert news.startswith("🔗 Li Hua (#")
    assert "council member: 2 of 2 reachable" in news
    assert bot.texts_to(80, calls) == []  # a council member is not the secretariat

    await bot.send(li, "/forgetme")
    await bot.tap(li, "fg:ask")
    calls = await bot.tap(li, "fg:yes")
    [news] = bot.texts_to(ADMIN_ID, calls)
    assert "erased their data with /forgetme and has left the roster" in news
    assert "council member: 1 on the roster now" in news
