"""Semantic side of the search: passage vectors in memory, scored against a question."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bot.knowledge.embedding import Embedder, ModelUnavailable, Vector
from bot.knowledge.passages import Passage, passages
from storage.articles import Entry
from storage.knowledge_vectors import VectorRepository

__all__ = ["DenseIndex", "Progress", "build_index", "embed_missing"]

Progress = Callable[[int, int], Awaitable[None]]
CHUNK = 24  # passages per worker-thread call and per stored transaction


@dataclass(frozen=True)
class EntryHit:
    """An entry's best passage for a question and its cosine similarity."""

    similarity: float
    passage: Passage


class DenseIndex:
    """All passages of the current entries and their vectors, one row each.

    Rows are kept grouped by entry, so a question's best passage per entry comes from one
    matrix product and two segment reductions, with no Python loop over the passages.
    """

    def __init__(self, items: Sequence[Passage], matrix: NDArray[np.float32]) -> None:
        order = sorted(range(len(items)), key=lambda i: items[i].entry_id)  # stable
        self.passages = [items[i] for i in order]
        self.matrix = np.ascontiguousarray(matrix[order], dtype=np.float32)
        entry_ids = np.array([p.entry_id for p in self.passages], dtype=np.int64)
        first = np.ones(len(entry_ids), dtype=bool)
        first[1:] = entry_ids[1:] != entry_ids[:-1]
        self._starts = np.flatnonzero(first)
        self._entries = entry_ids[self._starts].tolist()
        self._sizes = np.diff(np.append(self._starts, len(entry_ids)))
        self._rows = np.arange(len(entry_ids))
        self._row_entries = entry_ids
        lengths = [max(len(p.context), 1) for p in self.passages]
        self.log_lengths = np.log(np.array(lengths, dtype=np.float64))

    def __len__(self) -> int:
        return len(self.passages)

    def similarities(self, query: Vector) -> NDArray[np.float32]:
        """Cosine similarity of the question with every passage."""
        if not self.passages:
            return np.zeros(0, dtype=np.float32)
        result: NDArray[np.float32] = self.matrix @ query
        return result

    def best_without_length_lean(
        self, query: Vector, entry_ids: frozenset[int] | set[int]
    ) -> dict[int, float]:
        """The best similarity of each of `entry_ids` once what passage length explains is out.

        Part of how close the model puts an English question to a Chinese passage comes from
        the passage's length, not from what it says (the shorter, the closer). A straight
        line fitted to this question's similarities against the log length of the entries'
        passages measures that part, and it is taken out of each passage's similarity
        before the best per entry is taken. The similarities themselves (the bar a passage
        must clear to answer, the passage quoted) are left as they are.
        """
        scores = self.similarities(query).astype(np.float64)
        rows = np.isin(self._row_entries, np.fromiter(entry_ids, dtype=np.int64))
        lengths = self.log_lengths[rows]
        if rows.sum() < 3 or not lengths.var():
            return {}
        similarities = scores[rows]
        centred = lengths - lengths.mean()
        slope = float(np.mean(centred * (similarities - similarities.mean())) / lengths.var())
        scores[rows] = similarities - slope * centred
        best = np.maximum.reduceat(scores, self._starts)
        return {
            entry_id: value
            for entry_id, value in zip(self._entries, best.tolist(), strict=True)
            if entry_id in entry_ids
        }

    def best_per_entry(self, query: Vector) -> dict[int, EntryHit]:
        """Each entry's best passage (the first, when passages tie) and its similarity."""
        scores = self.similarities(query)
        if not len(scores):
            return {}
        best = np.maximum.reduceat(scores, self._starts)
        at_best = scores == np.repeat(best, self._sizes)
        rows = np.minimum.reduceat(np.where(at_best, self._rows, len(scores)), self._starts)
        return {
            entry_id: EntryHit(similarity, self.passages[row])
            for entry_id, similarity, row in zip(
                self._entries, best.tolist(), rows.tolist(), strict=True
            )
        }


def _vector(blob: bytes) -> Vector:
    return np.frombuffer(blob, dtype=np.float32)


async def embed_missing(
    repo: VectorRepository,
    embedder: Embedder,
    entries: Sequence[Entry],
    progress: Progress | None = None,
) -> int:
    """Embed and store the passages of `entries` that have no stored vector; return how many.

    A text shared by several passages (the same sentence in two articles) is embedded
    once. The model runs off the event loop, a few passages at a time spread over the
    embedder's threads, so the bot keeps serving; `progress(done, total)` is awaited after
    each few (and never when nothing is missing). When the model cannot load (said once
    already), embedding stops there: the rest count by words only.
    """
    wanted: dict[str, str] = {}
    for entry in entries:
        for passage in passages(entry):
            wanted.setdefault(passage.key, passage.context)
    stored = await repo.find(embedder.version, list(wanted))
    missing = [(key, text) for key, text in wanted.items() if key not in stored]
    if progress is not None and missing:
        await progress(0, len(missing))
    for start in range(0, len(missing), CHUNK):
        chunk = missing[start : start + CHUNK]
        try:
            vectors = await asyncio.to_thread(embedder.embed_passages, [text for _, text in chunk])
        except ModelUnavailable:
            return start
        await repo.store(
            embedder.version,
            [
                (key, np.asarray(vector, np.float32).tobytes())
                for (key, _), vector in zip(chunk, vectors, strict=True)
            ],
        )
        if progress is not None:
            await progress(start + len(chunk), len(missing))
    return len(missing)


async def build_index(
    repo: VectorRepository, embedder: Embedder, entries: Sequence[Entry]
) -> tuple[DenseIndex, int]:
    """The index of the entries' passages from stored vectors; also how many were missing."""
    items = [p for entry in entries for p in passages(entry)]
    stored = await repo.find(embedder.version, [p.key for p in items])
    kept = [p for p in items if p.key in stored]
    if not kept:
        return DenseIndex([], np.zeros((0, embedder.dimensions), np.float32)), len(items)
    matrix = _vector(b"".join(stored[p.key] for p in kept)).reshape(len(kept), -1)
    return DenseIndex(kept, matrix), len(items) - len(kept)
