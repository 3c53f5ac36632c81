"""Semantic side of the search: passage vectors in memory, scored against a question."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bot.knowledge.embedding import Embedder, Vector
from bot.knowledge.passages import Passage, passages
from storage.articles import Entry
from storage.knowledge_vectors import VectorRepository

__all__ = ["DenseIndex", "Progress", "build_index", "embed_missing"]

Progress = Callable[[int, int], Awaitable[None]]
CHUNK = 16


@dataclass(frozen=True)
class EntryHit:
    """An entry's best passage for a question and its cosine similarity."""

    similarity: float
    passage: Passage


class DenseIndex:
    """All passages of the current entries and their vectors, one row each."""

    def __init__(self, items: Sequence[Passage], matrix: NDArray[np.float32]) -> None:
        self.passages = list(items)
        self.matrix = matrix
        self._entry_ids = np.array([p.entry_id for p in items], dtype=np.int64)

    def __len__(self) -> int:
        return len(self.passages)

    def similarities(self, query: Vector) -> NDArray[np.float32]:
        """Cosine similarity of the question with every passage."""
        if not self.passages:
            return np.zeros(0, dtype=np.float32)
        result: NDArray[np.float32] = self.matrix @ query
        return result

    def best_per_entry(self, query: Vector) -> dict[int, EntryHit]:
        """Each entry's best passage and its similarity."""
        scores = self.similarities(query)
        best: dict[int, EntryHit] = {}
        for index in np.argsort(-scores):
            entry_id = int(self._entry_ids[index])
            if entry_id not in best:
                best[entry_id] = EntryHit(float(scores[index]), self.passages[int(index)])
        return best


def _vector(blob: bytes) -> Vector:
    return np.frombuffer(blob, dtype=np.float32)


async def embed_missing(
    repo: VectorRepository,
    embedder: Embedder,
    entries: Sequence[Entry],
    progress: Progress | None = None,
) -> int:
    """Embed and store the passages of `entries` that have no stored vector; return how many.

    The model runs in a worker thread, a few passages at a time, so the event loop keeps
    serving; `progress(done, total)` is awaited after each few.
    """
    wanted: dict[str, str] = {}
    for entry in entries:
        for passage in passages(entry):
            wanted.setdefault(passage.key, passage.context)
    stored = await repo.find(embedder.version, list(wanted))
    missing = [(key, text) for key, text in wanted.items() if key not in stored]
    if progress is not None:
        await progress(0, len(missing))
    for start in range(0, len(missing), CHUNK):
        chunk = missing[start : start + CHUNK]
        vectors = await asyncio.to_thread(
            lambda texts: [embedder.embed_passage(text) for text in texts],
            [text for _, text in chunk],
        )
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
    matrix = np.stack([_vector(stored[p.key]) for p in kept])
    return DenseIndex(kept, matrix), len(items) - len(kept)
