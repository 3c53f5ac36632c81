"""Passage vectors shipped with a content directory, so that its first start embeds nothing.

`content/vectors.npz` holds the model version, the passages' digests and their float32
vectors. A first start on that directory stores them as if it had embedded them, so a bot
that only delivers notices never loads the model. A file of another model, a damaged file
or a passage the file lacks (the content or the passage rules changed) only means those
passages are embedded as before. `make vectors` (bot/knowledge/vectors_export.py)
rewrites the file from the shipped content with the real model.
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import numpy as np

from storage.knowledge_vectors import VectorRepository

__all__ = ["VECTORS_FILE", "read_vectors", "seed_vectors", "write_vectors"]

logger = logging.getLogger(__name__)

VECTORS_FILE = "vectors.npz"


def read_vectors(path: Path, version: str) -> list[tuple[str, bytes]]:
    """The (digest, vector) pairs in `path` for model `version`; none if absent or another's."""
    if not path.exists():
        return []
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["version"]) != version:
                return []
            keys = [str(key) for key in data["keys"]]
            matrix = np.ascontiguousarray(data["vectors"], dtype=np.float32)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
        logger.warning("shipped vectors ignored, passages are embedded instead: %s", error)
        return []
    if matrix.ndim != 2 or len(keys) != len(matrix):
        logger.warning("shipped vectors ignored, passages are embedded instead: bad shape")
        return []
    return [(key, row.tobytes()) for key, row in zip(keys, matrix, strict=True)]


def write_vectors(path: Path, version: str, vectors: dict[str, bytes]) -> None:
    """Write `vectors` (digest to float32 bytes) for model `version`, digests in order."""
    keys = sorted(vectors)
    matrix = np.stack([np.frombuffer(vectors[key], dtype=np.float32) for key in keys])
    np.savez(path, version=np.array(version), keys=np.array(keys), vectors=matrix)


async def seed_vectors(repo: VectorRepository, version: str, content_dir: Path) -> int:
    """Store the vectors shipped in `content_dir` for `version`; return how many it has."""
    vectors = read_vectors(content_dir / VECTORS_FILE, version)
    await repo.store(version, vectors)
    return len(vectors)
