"""The knowledge base service: load and replace documents, keep the index, answer questions."""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from bot.knowledge import embedding
from bot.knowledge.alignment import OutOfStep, out_of_step
from bot.knowledge.dense import DenseIndex, Progress, build_index, embed_missing
from bot.knowledge.embedding import Embedder, ModelUnavailable, Vector
from bot.knowledge.information import information
from bot.knowledge.intents import (
    asks_who_holds_office_now,
    asks_who_someone_is,
    small_talk,
    without_time_words,
)
from bot.knowledge.parser import (
    Language,
    ParsedArticles,
    ParsedMission,
    parse_articles,
    parse_mission,
)
from bot.knowledge.references import article_reference
from bot.knowledge.search import Catalogue, Match, SearchResult, Tuning, rank
from bot.knowledge.shipped import seed_vectors
from bot.knowledge.spelling import Speller
from bot.knowledge.text import Analyzer, default_analyzer
from bot.numbers import MAX_ID
from storage.articles import Document, Entry, IndexRow, KnowledgeRepository, NewEntry
from storage.database import Database
from storage.knowledge_vectors import VectorRepository

__all__ = ["CONTENT_DIR", "KnowledgeBase"]

logger = logging.getLogger(__name__)

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
LANGUAGES: tuple[Language, ...] = ("zh", "en")
QUESTION_CACHE = 256
ALL_KINDS = frozenset({"articles", "mission"})
MISSION = frozenset({"mission"})


_LEAD = re.compile(r"^(.{4,200}?[:：])\s*(?:\n|$)")


def lead(body: str) -> str:
    """An article's lead-in that introduces a list ("Members have the following rights:")."""
    match = _LEAD.match(body)
    return match.group(1) if match else ""


def _ready(loop: asyncio.AbstractEventLoop, vector: Vector | None) -> asyncio.Future[Vector | None]:
    """A future that already holds `vector`."""
    future: asyncio.Future[Vector | None] = loop.create_future()
    future.set_result(vector)
    return future


def _embed_or_none(embedder: Embedder, question: str) -> Vector | None:
    """The question's vector; None (an answer from the words) when the model fails."""
    try:
        return embedder.embed_query(question)
    except ModelUnavailable:  # could not load: said once already
        return None
    except Exception as error:  # the engine failing must not cost the member an answer
        logger.warning("question answered from keywords only, the model failed: %r", error)
        return None


class KnowledgeBase:
    """The Articles and the mission page in both languages, searchable."""

    def __init__(
        self,
        db: Database,
        analyzer: Analyzer | None = None,
        tuning: Tuning | None = None,
        embedder: Embedder | Literal["default"] | None = "default",
    ) -> None:
        self.repo = KnowledgeRepository(db)
        self.vectors = VectorRepository(db)
        self.analyzer = analyzer or default_analyzer()
        self.tuning = tuning or Tuning()
        self.embedder = embedding.default_embedder() if embedder == "default" else embedder
        self._catalogue: Catalogue | None = None
        self._speller = Speller(())
        self._dense: DenseIndex | None = None
        self._questions: OrderedDict[str, Vector] = OrderedDict()

    @property
    def semantic(self) -> bool:
        """True when answers use the embedding model as well as the words."""
        return self.embedder is not None

    async def start(
        self,
        content_dir: Path = CONTENT_DIR,
        progress: Progress | None = None,
        *,
        shipped_vectors: bool = True,
    ) -> None:
        """Load the shipped content into an empty database and make sure the index is fresh.

        The vectors shipped with the content are stored first (unless `shipped_vectors` is
        off); passages still without a vector (content the file lacks, or a new model) are
        embedded now, so the model is loaded only when something is left to embed.
        """
        if not await self.repo.has_documents():
            await self.load_directory(content_dir, progress, shipped_vectors=shipped_vectors)
        if await self.repo.index_fingerprint() != self.analyzer.fingerprint:
            await self.reindex()
        if self.embedder is not None:
            if shipped_vectors and not await self.vectors.count(self.embedder.version):
                await seed_vectors(self.vectors, self.embedder.version, content_dir)
            await embed_missing(
                self.vectors, self.embedder, await self.repo.current_entries(), progress
            )
        await self._refresh()
        information("会费", "zh")  # load the word-frequency tables now, not at the first question
        information("dues", "en")

    async def load_directory(
        self,
        content_dir: Path,
        progress: Progress | None = None,
        *,
        shipped_vectors: bool = True,
    ) -> None:
        """Import `articles.<lang>.md` and `mission.<lang>.md` from a directory.

        The directory's shipped vectors are stored, then the passages still without one are
        embedded in one pass (one progress from 0 to all) before any of them becomes
        current, so an interrupted first start is simply done again, reusing the vectors
        already stored.
        """
        added: list[int] = []
        for language in LANGUAGES:
            articles = content_dir / f"articles.{language}.md"
            mission = content_dir / f"mission.{language}.md"
            if articles.exists():
                parsed = parse_articles(articles.read_text(encoding="utf-8"), language)
                added.append(await self._add_articles(parsed, source=articles.name))
            if mission.exists():
                page = parse_mission(mission.read_text(encoding="utf-8"), language)
                added.append(await self._add_mission(page, source=mission.name))
        stored = {document_id: await self.repo.entries(document_id) for document_id in added}
        if self.embedder is not None:
            if shipped_vectors:
                await seed_vectors(self.vectors, self.embedder.version, content_dir)
            everything = [entry for entries in stored.values() for entry in entries]
            await embed_missing(self.vectors, self.embedder, everything, progress)
        for document_id, entries in stored.items():
            await self.repo.activate(document_id, self._index_rows(entries))
        await self._refresh()
        logger.info("loaded knowledge content from %s", content_dir)

    def _index_rows(self, entries: list[Entry]) -> list[IndexRow]:
        """Analyse entries into index rows."""
        return [
            IndexRow(
                entry.id,
                " ".join(self.analyzer.terms(f"{entry.title}\n{lead(entry.body)}")),
                " ".join(self.analyzer.terms(entry.body)),
                " ".join(self.analyzer.terms(entry.chapter_title)),
            )
            for entry in entries
        ]

    async def reindex(self) -> None:
        """Rebuild the search index of the current documents with the current analyzer."""
        entries = await self.repo.current_entries()
        await self.repo.rebuild_index(self._index_rows(entries), self.analyzer.fingerprint)
        logger.info("rebuilt the knowledge index (%d entries)", len(entries))

    async def _refresh(self) -> None:
        """Reload the in-memory catalogue and passage vectors after a change."""
        entries = await self.repo.current_entries()
        self._catalogue = Catalogue(entries)
        self._speller = Speller(f"{e.title}\n{e.body}\n{e.chapter_title}" for e in entries)
        if self.embedder is not None:
            self._dense, missing = await build_index(self.vectors, self.embedder, entries)
            if missing:
                logger.warning("%d passages have no vector yet; they count by words only", missing)

    async def _activate(self, document_id: int, progress: Progress | None = None) -> None:
        """Embed a stored version's passages, then make it current and index it."""
        entries = await self.repo.entries(document_id)
        if self.embedder is not None:
            await embed_missing(self.vectors, self.embedder, entries, progress)
        await self.repo.activate(document_id, self._index_rows(entries))
        await self._refresh()

    async def import_articles(
        self,
        parsed: ParsedArticles,
        *,
        source: str = "",
        imported_by: int | None = None,
        now: datetime | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Store parsed Articles as the current version of their language; return its id."""
        document_id = await self._add_articles(
            parsed, source=source, imported_by=imported_by, now=now
        )
        await self._activate(document_id, progress)
        return document_id

    async def _add_articles(
        self,
        parsed: ParsedArticles,
        *,
        source: str,
        imported_by: int | None = None,
        now: datetime | None = None,
    ) -> int:
        """Store parsed Articles as a version that is not current yet; return its id."""
        return await self.repo.add_document(
            kind="articles",
            language=parsed.language,
            title=parsed.title,
            preface=parsed.preface,
            source=source,
            chapters=[(c.number, c.title) for c in parsed.chapters],
            entries=[
                NewEntry(position, a.number, a.chapter, a.title, a.body)
                for position, a in enumerate(parsed.articles, start=1)
            ],
            imported_by=imported_by,
            now=now,
        )

    async def import_mission(
        self,
        parsed: ParsedMission,
        *,
        source: str = "",
        imported_by: int | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Store a parsed mission page as the current version of its language; return its id."""
        document_id = await self._add_mission(parsed, source=source, imported_by=imported_by)
        await self._activate(document_id, progress)
        return document_id

    async def _add_mission(
        self, parsed: ParsedMission, *, source: str, imported_by: int | None = None
    ) -> int:
        """Store a parsed mission page as a version that is not current yet; return its id."""
        return await self.repo.add_document(
            kind="mission",
            language=parsed.language,
            title=parsed.title,
            preface=parsed.preface,
            source=source,
            chapters=[],
            entries=[NewEntry(s.position, None, None, s.title, s.body) for s in parsed.sections],
            imported_by=imported_by,
        )

    async def out_of_step(self, language: Language) -> OutOfStep | None:
        """Whether the current Articles in `language` and in the other language differ."""
        other: Language = "en" if language == "zh" else "zh"
        mine = await self.repo.current_entries("articles", language)
        theirs = await self.repo.current_entries("articles", other)
        return out_of_step(
            language,
            [e.number for e in mine if e.number is not None],
            [e.number for e in theirs if e.number is not None],
        )

    async def versions(self, language: Language) -> list[Document]:
        """Return the stored versions of the Articles in a language, newest first."""
        return await self.repo.documents("articles", language)

    async def restore(self, language: Language, document_id: int | None = None) -> Document | None:
        """Make an earlier version current (by default the one before the current); return it."""
        versions = await self.versions(language)
        if document_id is None:
            current = next((i for i, d in enumerate(versions) if d.is_current), None)
            if current is None or current + 1 >= len(versions):
                return None
            target = versions[current + 1]
        else:
            chosen = next((d for d in versions if d.id == document_id), None)
            if chosen is None:
                return None
            target = chosen
        await self._activate(target.id)
        return await self.repo.current_document("articles", language)

    async def catalogue(self) -> Catalogue:
        """Return the in-memory catalogue, loading it on first use."""
        if self._catalogue is None:
            await self._refresh()
        assert self._catalogue is not None
        return self._catalogue

    async def article(self, language: Language, number: int) -> Entry | None:
        """Return an article in the reader's language, else in the other one."""
        if not 0 < number <= MAX_ID:
            return None
        for lang in (language, "en" if language == "zh" else "zh"):
            entry = await self.repo.article(lang, number)
            if entry is not None:
                return entry
        return None

    async def search(self, question: str, language: Language, *, limit: int = 5) -> SearchResult:
        """Answer a question: a named article first, else the best-ranked entries."""
        question = question.strip()
        kind = small_talk(question)
        if kind is not None:
            return SearchResult(question, language, (), False, small_talk=kind)
        number = article_reference(question)
        if number is not None:
            entry = await self.article(language, number)
            if entry is not None:
                return SearchResult(question, language, (Match(entry, 1.0, 1.0),), True, number)
        catalogue = await self.catalogue()
        asked, kinds = question, ALL_KINDS
        question = self._speller.correct(question)
        office_now = asks_who_holds_office_now(question)
        if office_now:
            kinds, question = MISSION, without_time_words(question)
        query = self._question_vector(question)  # computed while the words are searched
        ranked: list[SearchResult] = []
        for wanted in (MISSION, kinds) if asks_who_someone_is(question) else (kinds,):
            ranked.append(
                await rank(
                    self.repo,
                    catalogue,
                    self.analyzer,
                    question,
                    language,
                    limit=limit,
                    tuning=self.tuning,
                    dense=self._dense,
                    query=query,
                    kinds=wanted,
                    every_word=office_now,
                )
            )
            if ranked[-1].covered:
                break
        return replace(ranked[-1], question=asked)

    def _question_vector(self, question: str) -> asyncio.Future[Vector | None]:
        """The question's vector, computed in a worker thread from now on (so the event loop
        and the search by words go on meanwhile); recent ones are remembered."""
        loop = asyncio.get_running_loop()
        if self.embedder is None or not question:
            return _ready(loop, None)
        vector = self._questions.get(question)
        if vector is not None:
            self._questions.move_to_end(question)
            return _ready(loop, vector)
        running = loop.run_in_executor(None, _embed_or_none, self.embedder, question)
        running.add_done_callback(lambda done: self._remember(question, done))
        return running

    def _remember(self, question: str, done: asyncio.Future[Vector | None]) -> None:
        """Keep a computed question vector."""
        vector = None if done.cancelled() else done.result()
        if vector is not None:
            self._questions[question] = vector
        if len(self._questions) > QUESTION_CACHE:
            self._questions.popitem(last=False)

    def forget_questions(self) -> None:
        """Drop remembered question vectors (benchmarks time the model's work too)."""
        self._questions.clear()
