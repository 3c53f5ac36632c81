"""Input that Telegram would refuse is refused first: long notices, impossible Telegram ids."""

from __future__ import annotations

from bot.notices.reports import final_report
from storage.notices import NoticeRepository
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


async def test_the_report_counts_people_who_erased_themselves_meanwhile(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/notice\nHello")
    notice = await NoticeRepository(bot.app.bot_data.db).get(1)
    assert notice is not None
    counts = {"sent": 395, "blocked": 3, "never_started": 1, "failed": 1, "cancelled": 2}
    text, _ = final_report(notice, counts, False, "en")
    assert "(402 recipients)" in text
    assert "erased their data during the delivery (not sent): 2" in text
    shown = [int(line.rsplit(": ", 1)[1]) for line in text.splitlines() if ": " in line]
    assert sum(shown) == 402
