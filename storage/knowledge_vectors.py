"""Stored passage embeddings: float32 vectors by model version and text digest."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from storage.database import Database

__all__ = ["VectorRepository"]

_CHUNK = 500  # digests per lookup, below SQLite's limit on bound parameters


class VectorRepository:
    """Reads and writes `kb_vectors`; vectors are opaque bytes here."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def find(self, model: str, digests: Sequence[str]) -> dict[str, bytes]:
        """Return the stored vectors of `model` among `digests`."""
        found: dict[str, bytes] = {}
        wanted = sorted(set(digests))
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            marks = ", ".join("?" for _ in chunk)
            rows = await self.db.fetchall(
                f"SELECT digest, vector FROM kb_vectors WHERE model = ? AND digest IN ({marks})",
                (model, *chunk),
            )
            found.update({row["digest"]: bytes(row["vector"]) for row in rows})
        return found

    async def store(self, model: str, vectors: Iterable[tuple[str, bytes]]) -> None:
        """Store vectors (one transaction); a digest already stored keeps its vector."""
        rows = [(model, key, blob) for key, blob in vectors]
        if not rows:
            return
        async with self.db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO kb_vectors (model, digest, vector) VALUES (?, ?, ?)"
                " ON CONFLICT (model, digest) DO NOTHING",
                rows,
            )

    async def count(self, model: str) -> int:
        """How many vectors of `model` are stored."""
        row = await self.db.fetchone("SELECT COUNT(*) FROM kb_vectors WHERE model = ?", (model,))
        return int(row[0]) if row else 0
