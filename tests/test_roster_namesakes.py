"""/invite does not duplicate a person: the same name and unit offer the entry that exists."""

from __future__ import annotations

from storage.people import Role
from tests.harness import ADMIN_ID, BotHarness
from tests.roster_helpers import LINK, add_entry


async def council_count(bot: BotHarness) -> int:
    return len(await bot.people.list_by_roles((Role.COUNCIL,)))


async def test_invite_of_a_bound_namesake_adds_nothing_and_offers_the_entry(
    bot: BotHarness,
) -> None:
    wang = await add_entry(bot, "王芳", Role.COUNCIL, "zh", telegram_id=81, unit="昆明市外办")
    admin = bot.user(ADMIN_ID, "Sec", "en")
    calls = await bot.send(admin, "/invite 王芳 | 昆明市外办 | council")
    [answer] = [c for c in calls if c.method == "sendMessage"]
    assert f"王芳 (昆明市外办) is already on the roster as #{wang.id}" in answer.text
    assert "Nothing was added" in answer.text and "linked" in answer.text
    assert answer.callback_data() == [f"mb:p:{wang.id}", "iv:dup"]
    assert not LINK.findall(answer.text)
    assert await council_count(bot) == 1

    # The secretary means another person of the same name: a new entry, on purpose.
    calls = await bot.tap(admin, "iv:dup")
    [made] = [c.text for c in calls if c.method == "sendMessage"]
    assert made.startswith("Roster entry #") and LINK.findall(made)
    assert await council_count(bot) == 2
    calls = await bot.tap(admin, "iv:dup")  # the same button again adds nothing
    assert bot.alerts(calls) == ["This button is no longer valid."]
    assert await council_count(bot) == 2


async def test_guided_invite_of_an_unbound_namesake_offers_their_new_link(
    bot: BotHarness,
) -> None:
    li = await add_entry(bot, "Li Hua", Role.MEMBER, unit="Yunnan University")
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, "/invite")
    await bot.send(admin, "li  hua")
    await bot.send(admin, "yunnan university")
    calls = await bot.tap(admin, "iv:new:member")
    [answer] = [c for c in calls if c.method == "sendMessage"]
    assert f"is already on the roster as #{li.id}: member, Telegram not linked yet" in answer.text
    assert answer.callback_data()[0] == f"mb:i:{li.id}"
    calls = await bot.tap(admin, f"mb:i:{li.id}")
    assert LINK.findall(" ".join(bot.texts_to(ADMIN_ID, calls)))
    assert len(await bot.people.list_by_roles((Role.MEMBER,))) == 1


async def test_invite_of_a_removed_namesake_offers_to_put_them_back(bot: BotHarness) -> None:
    anna = await add_entry(bot, "Anna", Role.GUEST, unit="Friendship Society")
    admin = bot.user(ADMIN_ID, "Sec", "zh")
    calls = await bot.send(admin, "/invite Anna | Friendship Society | 理事")
    [answer] = [c for c in calls if c.method == "sendMessage"]
    assert f"曾在名册中（#{anna.id}），已被移除" in answer.text
    assert answer.button_texts()[0] == "恢复为理事"
    assert answer.callback_data()[0] == f"mb:r:{anna.id}:council"
