"""Smaller things a newcomer met: texts, cancelled meetings, waitlists, roster files, /ask."""

from __future__ import annotations

from storage.people import Role
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import add_person, confirmed_meeting, council, invitation_of
from tests.roster_helpers import add_entry, send_document


async def test_a_cancelled_meetings_summary_has_no_quorum_line(bot: BotHarness) -> None:
    await council(bot, 2)
    meeting = await confirmed_meeting(bot)
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, f"/cancelmeeting {meeting.id}")
    await bot.tap(admin, f"mtgcancel:{meeting.id}")
    [summary] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/meeting {meeting.id}"))[:1]
    assert "Quorum" not in summary and "cancelled" in summary.lower()


async def test_a_waitlisted_yes_is_told_it_is_on_the_waitlist(bot: BotHarness) -> None:
    users = await council(bot, 2)
    await confirmed_meeting(bot, "Dinner | 2026-12-15 19:00 | Hall | capacity=1")
    first = await bot.tap(users[0], "rsvp:1:1:y", invitation_of(bot, 100))
    assert bot.alerts(first) == ["Recorded: Yes"]
    second = await bot.tap(users[1], "rsvp:1:1:y", invitation_of(bot, 101))
    [alert] = bot.alerts(second)
    assert alert.startswith("Recorded: Yes. The meeting is full, so you are on the waitlist")
    assert "(position 1)" in alert


async def test_roster_csv_quote_line_optional_columns_and_own_language(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    bot.api.add_file("q", b'name,unit,role\n"Li Hua,Unit,member\nAnna,Unit,member\n')
    preview = bot.texts_to(ADMIN_ID, await send_document(bot, admin, "q", "roster.csv"))[0]
    assert "Row 2: the CSV cannot be read from here on" in preview

    bot.api.add_file("ok", b"name,unit,role\nLi Hua,Unit,member\n")  # no telegram_id, language
    preview = bot.texts_to(ADMIN_ID, await send_document(bot, admin, "ok", "roster.csv"))[0]
    assert "1 new, 0 updated, 0 unchanged, 0 rejected" in preview

    anna = await add_entry(bot, "Anna", Role.MEMBER, "en", telegram_id=82, unit="Unit")
    bot.api.add_file("zh", b"name,unit,role,telegram_id,language\nAnna,Unit,member,82,zh\n")
    calls = await send_document(bot, admin, "zh", "roster.csv")
    assert "0 new, 0 updated, 1 unchanged" in bot.texts_to(ADMIN_ID, calls)[0]
    await bot.tap(
        admin,
        bot.api.last_message_to(ADMIN_ID)["reply_markup"]["inline_keyboard"][0][0]["callback_data"],
    )
    person = await bot.people.get(anna.id)
    assert person is not None and person.language == "en"  # her own choice stands


async def test_guest_welcome_promises_nothing_a_guest_does_not_get(bot: BotHarness) -> None:
    [text] = bot.texts_to(90, await bot.send(bot.user(90, "Ivan", "en"), "/start"))
    assert "answer meeting invitations" not in text and "/join" in text


async def test_bare_ask_asks_for_the_question(bot: BotHarness) -> None:
    [text] = bot.texts_to(90, await bot.send(bot.user(90, "Ivan", "zh"), "/ask"))
    assert text.startswith("您想了解什么？")


async def test_texts_read_well_in_each_language(bot: BotHarness) -> None:
    await add_person(bot, "Unbound", "council", None)
    admin = bot.user(ADMIN_ID, "Sec", "en")
    calls = await bot.send(admin, "/newmeeting T | 2026-12-15 10:00 | Hall")
    assert (
        "2 people will be invited; 1 of them has no Telegram account"
        in bot.texts_to(ADMIN_ID, calls)[0]
    )
    li = await add_entry(bot, "李华", Role.MEMBER, "zh", unit="云大")
    zh_admin = bot.user(ADMIN_ID, "Sec", "zh")
    await bot.send(zh_admin, "/language")
    await bot.tap(zh_admin, "lang:zh")
    [card] = bot.texts_to(ADMIN_ID, await bot.send(zh_admin, f"/members {li.id}"))
    assert "语言：中文" in card
    bot.api.add_file("gbk", "第一条 名称".encode("gb18030"))
    [answer] = bot.texts_to(ADMIN_ID, await send_document(bot, zh_admin, "gbk", "章程.md"))
    assert "UTF-8 文本" in answer and "not UTF-8" not in answer


async def test_members_searches_by_name_or_unit(bot: BotHarness) -> None:
    wang = await add_entry(bot, "王芳", Role.COUNCIL, "zh", unit="昆明市外办")
    li = await add_entry(bot, "Li Hua", Role.MEMBER, unit="Yunnan University")
    admin = bot.user(ADMIN_ID, "Sec", "en")
    [found] = [c for c in await bot.send(admin, "/members 外办") if c.method == "sendMessage"]
    assert "matching “外办” (1)" in found.text
    assert found.callback_data() == [f"mb:p:{wang.id}"]
    [found] = [c for c in await bot.send(admin, "/members yunnan") if c.method == "sendMessage"]
    assert found.callback_data() == [f"mb:p:{li.id}"]
    [none] = bot.texts_to(ADMIN_ID, await bot.send(admin, "/members Nobody"))
    assert none == "No one on the roster has “Nobody” in their name or unit."
