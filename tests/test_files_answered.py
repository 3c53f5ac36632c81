"""Every file or attachment sent to the bot gets an answer: what it takes, or what to do."""

from __future__ import annotations

from typing import Any

from storage.people import Role
from tests.harness import ADMIN_ID, BotHarness
from tests.roster_helpers import add_entry, send_document


async def send_photo(bot: BotHarness, user: dict[str, Any]) -> list[str]:
    update = bot.factory.message(
        user, "", photo=[{"file_id": "p1", "file_unique_id": "p1", "width": 90, "height": 90}]
    )
    del update["message"]["text"]
    before = len(bot.api.calls)
    await bot.feed(update)
    return bot.texts_to(user["id"], bot.api.calls[before:])


async def test_secretariat_is_told_which_files_the_bot_takes(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    bot.api.add_file("pdf", b"%PDF-1.4")
    [answer] = bot.texts_to(ADMIN_ID, await send_document(bot, admin, "pdf", "notes.pdf"))
    assert answer.startswith("notes.pdf: I do not take this kind of file.")
    assert ".csv" in answer and ".xlsx" in answer and ".md" in answer and "/notice" in answer
    [answer] = await send_photo(bot, admin)
    assert answer.startswith("This photo: I do not take this kind of file.")


async def test_member_file_or_photo_is_answered_with_what_to_do_instead(bot: BotHarness) -> None:
    await add_entry(bot, "王芳", Role.MEMBER, language="zh", telegram_id=71)
    member = bot.user(71, "Wang", "zh")
    for name in ("notes.pdf", "roster.csv", "roster.xlsx", "articles.md"):
        bot.api.add_file(name, b"name,unit\n")
        [answer] = bot.texts_to(71, await send_document(bot, member, name, name))
        assert answer.startswith(f"{name}：我读不了文件和图片"), answer
        assert "/ask" in answer
    [answer] = await send_photo(bot, member)
    assert answer.startswith("这张图片：")


async def test_guest_photo_is_answered_and_a_file_name_is_escaped(bot: BotHarness) -> None:
    guest = bot.user(72, "Ivan", "en")
    [answer] = await send_photo(bot, guest)
    assert "only text" in answer
    bot.api.add_file("x", b"x")
    [answer] = bot.texts_to(72, await send_document(bot, guest, "x", "<b>x</b>.pdf"))
    assert answer.startswith("&lt;b&gt;x&lt;/b&gt;.pdf:")


async def test_notice_caption_from_a_member_is_refused_as_a_command(
    bot: BotHarness,
) -> None:
    await add_entry(bot, "Anna", Role.MEMBER, telegram_id=73)
    bot.api.add_file("img", b"x")
    update = bot.factory.document(bot.user(73, "Anna"), "img", "poster.pdf", "/notice Hello")
    before = len(bot.api.calls)
    await bot.feed(update)
    [answer] = bot.texts_to(73, bot.api.calls[before:])
    assert "only for the secretariat" in answer


async def test_a_file_that_is_not_utf8_is_answered_in_the_senders_language(
    bot: BotHarness,
) -> None:
    zh_admin = bot.user(ADMIN_ID, "Sec", "zh")
    await bot.send(zh_admin, "/language")
    await bot.tap(zh_admin, "lang:zh")
    bot.api.add_file("gbk", "第一条 名称".encode("gb18030"))
    [answer] = bot.texts_to(ADMIN_ID, await send_document(bot, zh_admin, "gbk", "章程.md"))
    assert "UTF-8 文本" in answer and "not UTF-8" not in answer
