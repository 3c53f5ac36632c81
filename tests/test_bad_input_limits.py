"""Input that Telegram would refuse is refused first: long notices, impossible Telegram ids."""

from __future__ import annotations

from tests.harness import ADMIN_ID, BotHarness


async def test_a_notice_too_long_for_one_message_is_refused_at_once(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\n" + "Long text. " * 455)  # 5,005 characters
    texts = bot.texts_to(ADMIN_ID, calls)
    assert texts[0] == (
        "The text is too long: 5005 characters, at most 4096 fit in one message"
        " (1024 with a photo or document). Shorten it or send it as two notices."
    )
    assert await bot.app.bot_data.db.fetchall("SELECT id FROM notices") == []


async def test_emoji_count_as_telegram_counts_them(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice\n" + "🎉" * 2100)  # 4,200 in UTF-16, as Telegram counts
    assert bot.texts_to(ADMIN_ID, calls)[0].startswith("The text is too long: 4200 characters")
