"""A small, fast stand-in for the embedding model: hashed character n-grams."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from bot.knowledge.embedding import Vector

__all__ = ["FakeEmbedder"]

DIMENSIONS = 64


class FakeEmbedder:
    """Texts sharing words (or Chinese character pairs) get close vectors; deterministic."""

    version = "fake-ngrams-1"
    dimensions = DIMENSIONS

    def __init__(self) -> None:
        self.passages_embedded = 0
        self.queries_embedded = 0

    def _vector(self, text: str) -> Vector:
        vector = np.zeros(DIMENSIONS, dtype=np.float32)
        lowered = text.lower()
        grams = lowered.split() + [lowered[i : i + 2] for i in range(len(lowered) - 1)]
        for gram in grams:
            index = int(hashlib.md5(gram.encode()).hexdigest()[:8], 16) % DIMENSIONS
            vector[index] += 1.0
        norm = float(np.linalg.norm(vector)) or 1.0
        return vector / norm

    def embed_passage(self, text: str) -> Vector:
        self.passages_embedded += 1
        return self._vector(text)

    def embed_query(self, text: str) -> Vector:
        self.queries_embedded += 1
        return self._vector(text)

    def embed_passages(self, texts: Sequence[str]) -> list[Vector]:
        return [self.embed_passage(text) for text in texts]
