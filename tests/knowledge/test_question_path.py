"""The question path of a running bot: the question alone is embedded, off the event loop,
while its words are searched."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.knowledge.embedding import Vector
from bot.knowledge.service import KnowledgeBase
from storage.database import Database
from tests.fake_embedder import FakeEmbedder


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kb.sqlite3")
    yield database
    await database.close()


async def test_the_question_is_embedded_while_its_words_are_searched(db: Database) -> None:
    searching = threading.Event()

    class Waiting(FakeEmbedder):
        def embed_query(self, text: str) -> Vector:
            # Returns at once when the search by words is under way; the timeout only
            # keeps a broken order from hanging the test.
            self.overlapped = searching.wait(timeout=10)
            return super().embed_query(text)

    fake = Waiting()
    base = KnowledgeBase(db, embedder=fake)
    await base.start()
    search_by_words = base.repo.search

    async def watched(*args: Any, **kwargs: Any) -> Any:
        searching.set()
        return await search_by_words(*args, **kwargs)

    base.repo.search = watched  # type: ignore[method-assign]
    result = await base.search("How much are the membership dues?", "en")
    assert fake.overlapped and fake.queries_embedded == 1 and result.matches
    passages = fake.passages_embedded
    again = await base.search("How much are the membership dues?", "en")
    assert fake.queries_embedded == 1 and fake.passages_embedded == passages
    assert [m.entry.id for m in again.matches] == [m.entry.id for m in result.matches]


async def test_a_model_failing_on_a_question_logs_one_line_and_answers_from_the_words(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    class Broken(FakeEmbedder):
        def embed_query(self, text: str) -> Vector:
            raise RuntimeError("engine failed")

    base = KnowledgeBase(db, embedder=Broken())
    await base.start()
    with caplog.at_level(logging.WARNING, logger="bot.knowledge.service"):
        result = await base.search("会费", "zh")
    assert result.covered and result.matches[0].entry.number == 38
    (record,) = caplog.records
    assert "keywords only" in record.getMessage() and "engine failed" in record.getMessage()
