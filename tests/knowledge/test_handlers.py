"""The knowledge commands through the real Application and a fake Telegram."""

from __future__ import annotations

from tests.harness import BotHarness

MEMBER = 7001


async def test_ask_quotes_the_best_article(bot: BotHarness) -> None:
    user = bot.user(MEMBER, language="zh")
    calls = await bot.send(user, "/ask 会费")
    assert any("第38条" in text for text in bot.texts_to(MEMBER, calls))


async def test_plain_text_is_a_question_and_uncovered_is_said_plainly(bot: BotHarness) -> None:
    user = bot.user(MEMBER)
    calls = await bot.send(user, "Is there parking near the association's office?")
    assert any("do not cover" in text for text in bot.texts_to(MEMBER, calls))


async def test_article_command_and_usage(bot: BotHarness) -> None:
    user = bot.user(MEMBER)
    calls = await bot.send(user, "/article 12")
    assert any("Article 12" in text for text in bot.texts_to(MEMBER, calls))
    calls = await bot.send(user, "/article twelve")
    assert any("/article 12" in text for text in bot.texts_to(MEMBER, calls))


async def test_browse_chapters_then_chapter_then_article(bot: BotHarness) -> None:
    user = bot.user(MEMBER)
    calls = await bot.send(user, "/articles")
    assert any("Sample Text" in text for text in bot.texts_to(MEMBER, calls))
    calls = await bot.tap(user, "kb:c:3:0")
    assert any("Members" in text for text in bot.texts_to(MEMBER, calls))
    calls = await bot.tap(user, "kb:a:10")
    assert any("Article 10" in text for text in bot.texts_to(MEMBER, calls))


async def test_mission_page(bot: BotHarness) -> None:
    calls = await bot.send(bot.user(MEMBER), "/mission")
    assert any("Zhang Xiaoming" in text for text in bot.texts_to(MEMBER, calls))


async def test_ask_without_a_question_asks_for_it(bot: BotHarness) -> None:
    [text] = bot.texts_to(90, await bot.send(bot.user(90, "Ivan", "zh"), "/ask"))
    assert text.startswith("您想了解什么？")
