"""Inline mode, Articles upload by the secretariat, and questions relayed to the secretariat."""

from __future__ import annotations

import json

from bot.transport import ApiCall
from tests.harness import ADMIN_ID, BotHarness

MEMBER = 7001

ARTICLES = """# Test Articles
## Chapter 1 General
### Article 1
The name is the Test Association.
### Article 2
Members pay dues every year.
## Chapter 2 Organs
### Article 4
The council meets twice a year.
"""


async def test_inline_query_offers_matching_articles(bot: BotHarness) -> None:
    user = bot.user(MEMBER, language="zh")
    before = len(bot.api.calls)
    await bot.feed(bot.factory.inline_query(user, "会费"))
    calls = [c for c in bot.api.calls[before:] if c.method == "answerInlineQuery"]
    assert len(calls) == 1
    results = calls[0].params["results"]
    assert results and results[0]["type"] == "article"
    assert results[0]["title"].startswith("第38条")
    assert "第38条" in results[0]["input_message_content"]["message_text"]


async def test_inline_query_uncovered_or_empty_offers_nothing(bot: BotHarness) -> None:
    user = bot.user(MEMBER)
    for text in ("", "Is there parking near the association's office?"):
        before = len(bot.api.calls)
        await bot.feed(bot.factory.inline_query(user, text))
        (call,) = [c for c in bot.api.calls[before:] if c.method == "answerInlineQuery"]
        assert call.params["results"] == []


async def _upload(bot: BotHarness, user_id: int, content: bytes, name: str) -> list[ApiCall]:
    """Send a document as `user_id`; return the calls made in answer."""
    file_id = f"file-{user_id}-{name}"
    bot.api.add_file(file_id, content)
    before = len(bot.api.calls)
    await bot.feed(bot.factory.document(bot.user(user_id), file_id, name))
    return bot.api.calls[before:]


async def test_secretariat_uploads_articles_previews_and_confirms(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID)
    calls = await _upload(bot, ADMIN_ID, ARTICLES.encode(), "articles.md")
    (preview,) = bot.texts_to(ADMIN_ID, calls)
    assert "Chapters: 2" in preview and "Articles: 3" in preview and "gaps: 3" in preview
    assert bot.api.last_message_to(ADMIN_ID)["reply_markup"]
    calls = await bot.tap(admin, "kbi:ok")
    assert any("Imported 3 articles" in text for text in bot.texts_to(ADMIN_ID, calls))
    calls = await bot.send(admin, "/article 4")
    assert any("twice a year" in text for text in bot.texts_to(ADMIN_ID, calls))
    restored = await bot.app.bot_data.knowledge.restore("en")
    assert restored is not None and restored.entries > 3


async def test_upload_cancel_and_unreadable_file_change_nothing(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID)
    await _upload(bot, ADMIN_ID, ARTICLES.encode(), "articles.md")
    calls = await bot.tap(admin, "kbi:no")
    assert any("cancelled" in text for text in bot.texts_to(ADMIN_ID, calls))
    calls = await bot.tap(admin, "kbi:ok")
    assert bot.alerts(calls) == ["This preview is no longer valid; send the file again."]
    calls = await _upload(bot, ADMIN_ID, b"\xff\xfe\x00bad", "bad.md")
    assert any("could not read" in text for text in bot.texts_to(ADMIN_ID, calls))
    calls = await _upload(bot, ADMIN_ID, b"just some words", "notes.txt")
    assert any("could not read" in text for text in bot.texts_to(ADMIN_ID, calls))
    calls = await bot.send(admin, "/article 40")
    assert any("Article 40" in text for text in bot.texts_to(ADMIN_ID, calls))


async def test_upload_refused_for_a_member(bot: BotHarness) -> None:
    calls = await _upload(bot, MEMBER, ARTICLES.encode(), "articles.md")
    assert any("I cannot read files" in text for text in bot.texts_to(MEMBER, calls))
    calls = await bot.tap(bot.user(MEMBER), "kbi:ok")
    assert bot.alerts(calls)
    calls = await bot.send(bot.user(MEMBER), "/article 40")
    assert any("Article 40" in text for text in bot.texts_to(MEMBER, calls))


async def test_uncovered_question_goes_to_the_secretariat_and_the_answer_back(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN_ID)
    await bot.send(admin, "/start")
    member = bot.user(MEMBER, name="Li Lei")
    calls = await bot.send(member, "Is there parking near the association's office?")
    offer = [c for c in calls if c.chat_id == MEMBER and c.callback_data()]
    assert "do not cover" in offer[-1].text
    (data,) = offer[-1].callback_data()
    assert data.startswith("kbq:send:")

    calls = await bot.tap(member, data)
    assert any("passed to the secretariat" in t for t in bot.texts_to(MEMBER, calls))
    incoming = [c for c in calls if c.chat_id == ADMIN_ID and c.method == "sendMessage"]
    assert len(incoming) == 1 and "parking" in incoming[0].text and "Li Lei" in incoming[0].text
    (reply_data,) = incoming[0].callback_data()
    assert reply_data.startswith("kbq:reply:")
    calls = await bot.tap(member, data)
    assert bot.alerts(calls) == ["This question has already been passed on."]

    calls = await bot.tap(member, reply_data)
    assert bot.alerts(calls) and "secretariat" in bot.alerts(calls)[0]
    calls = await bot.tap(admin, reply_data)
    assert any("Write your answer" in t for t in bot.texts_to(ADMIN_ID, calls))
    calls = await bot.send(admin, "Yes, behind the building.")
    assert any("delivered" in t for t in bot.texts_to(ADMIN_ID, calls))
    answer = bot.texts_to(MEMBER, calls)
    assert len(answer) == 1 and "Yes, behind the building." in answer[0] and "parking" in answer[0]

    calls = await bot.tap(admin, reply_data)
    assert bot.alerts(calls) == ["This question has already been answered."]
    calls = await bot.send(admin, "Is there parking near the association's office?")
    assert any("do not cover" in t for t in bot.texts_to(ADMIN_ID, calls))


async def test_secretariat_can_cancel_a_reply(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID)
    await bot.send(admin, "/start")
    member = bot.user(MEMBER)
    calls = await bot.send(member, "Is there a WeChat group for members?")
    (data,) = [c for c in calls if c.callback_data()][-1].callback_data()
    calls = await bot.tap(member, data)
    (reply_data,) = next(c for c in calls if c.chat_id == ADMIN_ID).callback_data()
    await bot.tap(admin, reply_data)
    calls = await bot.send(admin, "/cancel")
    assert any("nothing was sent" in t for t in bot.texts_to(ADMIN_ID, calls))
    assert bot.texts_to(MEMBER, calls) == []


async def test_answer_quotes_article_with_buttons(bot: BotHarness) -> None:
    calls = await bot.send(bot.user(MEMBER), "/ask How much are the membership dues?")
    (answer,) = [c for c in calls if c.chat_id == MEMBER]
    assert answer.text.startswith("<b>Article 38 · ") or answer.text.startswith("Article 38 · ")
    data = answer.callback_data()
    assert "kb:a:38" in data and any(d.startswith("kb:c:") for d in data) and len(data) >= 3


async def test_other_files_are_left_to_other_features(bot: BotHarness) -> None:
    calls = await _upload(bot, ADMIN_ID, b"name,unit\nLi,KPAFFC\n", "roster.csv")
    assert not any("Chapters" in text for text in bot.texts_to(ADMIN_ID, calls))


async def test_relayed_questions_are_in_mydata_and_erased_by_forgetme(bot: BotHarness) -> None:
    member = bot.user(MEMBER, name="Li Lei")
    calls = await bot.send(member, "Is there parking near the association's office?")
    offer = [c for c in calls if c.chat_id == MEMBER and c.callback_data()]
    await bot.tap(member, offer[-1].callback_data()[0])

    calls = await bot.send(member, "/mydata")
    [document] = [c for c in calls if c.method == "sendDocument"]
    exported = json.loads(next(iter(document.files.values()))[1])
    assert "parking" in exported["questions_to_secretariat"][0]["question"]

    await bot.send(member, "/forgetme")
    await bot.tap(member, "fg:ask")
    await bot.tap(member, "fg:yes")
    left = await bot.app.bot_data.db.fetchall("SELECT * FROM kb_questions")
    assert left == []
