"""Greetings, mission facts, article buttons, texts in the other language (fake Telegram)."""

from __future__ import annotations

import pytest

from tests.harness import ADMIN_ID, BotHarness

MEMBER = 7001
ENGLISH_ONLY = b"""# New Articles
## Chapter 1 General
### Article 1
The name is the Test Association.
### Article 2
Members pay annual dues.
"""


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("hi", "en", "Hello!"),
        ("你好", "zh", "您好！"),
        ("谢谢", "zh", "不客气"),
        ("thanks!", "en", "You're welcome"),
        ("🎉", "en", "Hello!"),
    ],
)
async def test_greetings_and_thanks_get_a_friendly_reply_not_the_offer(
    bot: BotHarness, text: str, language: str, expected: str
) -> None:
    calls = await bot.send(bot.user(MEMBER, language=language), text)
    (reply,) = [c for c in calls if c.chat_id == MEMBER and c.method == "sendMessage"]
    assert reply.text.startswith(expected)
    assert not reply.callback_data()  # no "ask the secretariat" button


async def test_who_holds_the_office_now_is_answered_from_the_mission_page(
    bot: BotHarness,
) -> None:
    calls = await bot.send(bot.user(MEMBER), "Who's the president right now?")
    (reply,) = [c for c in calls if c.chat_id == MEMBER]
    assert "About the association · Leadership" in reply.text
    assert "Zhang Xiaoming" in reply.text


async def test_current_office_holder_not_on_the_mission_page_is_not_covered(
    bot: BotHarness,
) -> None:
    calls = await bot.send(bot.user(MEMBER, language="zh"), "现任秘书长是谁？")
    assert any("没有涉及" in t for t in bot.texts_to(MEMBER, calls))


async def test_chapter_buttons_are_one_line_and_cut_at_a_word(bot: BotHarness) -> None:
    for language, chapter in (("en", 2), ("zh", 5)):
        user = bot.user(MEMBER, language=language)
        await bot.send(user, "/articles")
        calls = await bot.tap(user, f"kb:c:{chapter}:0")
        labels = [label for c in calls for label in c.button_texts()]
        assert labels
        for label in labels:
            assert "\n" not in label and len(label) <= 40
            if label.endswith("…") and language == "en":
                assert label[-2].isalpha() or label[-2] in ")"  # a whole word before "…"
        english = [label for label in labels if label.startswith("Article 7")]
        if english:
            assert english[0] == "Article 7 The business scope of the…"


async def test_an_article_has_back_to_its_chapter_and_to_all_chapters(bot: BotHarness) -> None:
    user = bot.user(MEMBER)
    calls = await bot.send(user, "/article 10")
    (shown,) = [c for c in calls if c.chat_id == MEMBER]
    assert shown.button_texts() == ["« Back", "All chapters"]
    assert shown.callback_data() == ["kb:c:3:0", "kb:ch"]


async def test_importing_one_language_says_the_other_is_out_of_step_and_readers_are_told(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN_ID)
    bot.api.add_file("f-en", ENGLISH_ONLY)
    await bot.feed(bot.factory.document(admin, "f-en", "articles.en.md"))
    calls = await bot.tap(admin, "kbi:ok")
    done = bot.texts_to(ADMIN_ID, calls)[-1]
    assert "Imported 2 articles" in done and "out of step" in done and "Chinese" in done
    reader = bot.user(MEMBER, language="en")
    calls = await bot.send(reader, "/article 38")
    (shown,) = bot.texts_to(MEMBER, calls)
    assert "Not available in English; shown in Chinese." in shown and "会费" in shown
    chinese = bot.user(MEMBER + 1, language="zh")
    calls = await bot.send(chinese, "/ask 会费")
    (answer,) = bot.texts_to(MEMBER + 1, calls)
    assert "第38条" in answer and "Members pay" not in answer
