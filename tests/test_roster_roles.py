"""A change to or from the secretariat asks first and is written to the audit log."""

from __future__ import annotations

from storage.people import Role
from tests.harness import ADMIN_ID, BotHarness
from tests.roster_helpers import add_entry


async def test_making_someone_secretariat_asks_first_and_is_audited(bot: BotHarness) -> None:
    anna = await add_entry(bot, "Anna", Role.MEMBER, telegram_id=82)
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, f"/members {anna.id}")
    calls = await bot.tap(admin, f"mb:r:{anna.id}:secretariat")
    [ask] = bot.texts_to(ADMIN_ID, calls)
    assert ask.startswith("Make Anna secretariat?")
    assert (await bot.people.get(anna.id)).role is Role.MEMBER  # type: ignore[union-attr]
    assert bot.texts_to(82, calls) == []

    calls = await bot.tap(admin, f"mb:R:{anna.id}:secretariat")
    assert (await bot.people.get(anna.id)).role is Role.SECRETARIAT  # type: ignore[union-attr]
    assert "you are now a secretariat" in bot.texts_to(82, calls)[0]
    log = bot.texts_to(ADMIN_ID, await bot.tap(admin, "mb:a:0"))[-1]
    assert "made secretariat · Anna member&gt;secretariat" in log


async def test_taking_secretariat_rights_asks_first_and_back_changes_nothing(
    bot: BotHarness,
) -> None:
    li = await add_entry(bot, "Li", Role.SECRETARIAT, telegram_id=83)
    admin = bot.user(ADMIN_ID, "Sec", "zh")
    await bot.send(admin, f"/members {li.id}")
    [ask] = bot.texts_to(ADMIN_ID, await bot.tap(admin, f"mb:r:{li.id}:council"))
    assert ask.startswith("确定取消 Li 的秘书处权限，改为理事吗？")
    await bot.tap(admin, f"mb:p:{li.id}")  # Back
    assert (await bot.people.get(li.id)).role is Role.SECRETARIAT  # type: ignore[union-attr]
    await bot.tap(admin, f"mb:R:{li.id}:council")
    assert (await bot.people.get(li.id)).role is Role.COUNCIL  # type: ignore[union-attr]
    log = bot.texts_to(ADMIN_ID, await bot.tap(admin, "mb:a:0"))[-1]
    assert "取消秘书处权限 · Li secretariat&gt;council" in log


async def test_member_to_council_takes_one_tap(bot: BotHarness) -> None:
    anna = await add_entry(bot, "Anna", Role.MEMBER, telegram_id=82)
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, f"/members {anna.id}")
    await bot.tap(admin, f"mb:r:{anna.id}:council")
    assert (await bot.people.get(anna.id)).role is Role.COUNCIL  # type: ignore[union-attr]


async def test_a_member_cannot_confirm_a_promotion(bot: BotHarness) -> None:
    anna = await add_entry(bot, "Anna", Role.MEMBER, telegram_id=82)
    await bot.send(bot.user(82, "Anna"), "/help")
    calls = await bot.tap(bot.user(82, "Anna"), f"mb:R:{anna.id}:secretariat")
    assert "only for the secretariat" in bot.alerts(calls)[0]
    assert (await bot.people.get(anna.id)).role is Role.MEMBER  # type: ignore[union-attr]
