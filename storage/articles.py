"""The knowledge base in SQLite: document versions, articles, mission sections and FTS5 search."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from storage.database import Database, Transaction

__all__ = [
    "Chapter",
    "Document",
    "Entry",
    "IndexRow",
    "KnowledgeRepository",
    "NewEntry",
    "SearchRow",
]

Kind = Literal["articles", "mission"]
_ENTRY_COLUMNS = (
    "e.id, e.document_id, d.kind, d.language, e.position, e.number, e.chapter_number, "
    "e.title, e.body, COALESCE(c.title, '') AS chapter_title"
)
_ENTRY_FROM = (
    "kb_entries e JOIN kb_documents d ON d.id = e.document_id "
    "LEFT JOIN kb_chapters c ON c.document_id = e.document_id AND c.number = e.chapter_number"
)


@dataclass(frozen=True)
class Document:
    """One imported version of the Articles or the mission page in one language."""

    id: int
    kind: str
    language: str
    title: str
    preface: str
    source: str
    imported_at: str
    imported_by: int | None
    is_current: bool
    entries: int


@dataclass(frozen=True)
class Chapter:
    """A chapter of the Articles with how many articles it holds."""

    number: int
    title: str
    articles: int


@dataclass(frozen=True)
class Entry:
    """An article (with number) or a mission-page section (number None)."""

    id: int
    document_id: int
    kind: str
    language: str
    position: int
    number: int | None
    chapter_number: int | None
    title: str
    body: str
    chapter_title: str


@dataclass(frozen=True)
class NewEntry:
    """An article or section to store."""

    position: int
    number: int | None
    chapter_number: int | None
    title: str
    body: str


@dataclass(frozen=True)
class IndexRow:
    """The search terms of one entry, space-separated."""

    entry_id: int
    title_terms: str
    body_terms: str
    chapter_terms: str = ""


@dataclass(frozen=True)
class SearchRow:
    """One full-text match: the entry, its bm25 rank (lower is better) and its terms."""

    entry: Entry
    bm25: float
    terms: str
    chapter_terms: str = ""


def _entry(row: sqlite3.Row) -> Entry:
    """Build an Entry from a row."""
    return Entry(
        row["id"],
        row["document_id"],
        row["kind"],
        row["language"],
        row["position"],
        row["number"],
        row["chapter_number"],
        row["title"],
        row["body"],
        row["chapter_title"],
    )


def _document(row: sqlite3.Row) -> Document:
    """Build a Document from a row."""
    return Document(
        row["id"],
        row["kind"],
        row["language"],
        row["title"],
        row["preface"],
        row["source"],
        row["imported_at"],
        row["imported_by"],
        bool(row["is_current"]),
        row["entries"],
    )


class KnowledgeRepository:
    """Reads and writes the knowledge base tables; terms arrive already analysed."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def add_document(
        self,
        *,
        kind: Kind,
        language: str,
        title: str,
        preface: str,
        source: str,
        chapters: Sequence[tuple[int, str]],
        entries: Sequence[NewEntry],
        imported_by: int | None = None,
        now: datetime | None = None,
    ) -> int:
        """Store a new version (not yet current) and return its id."""
        moment = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
        async with self.db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT INTO kb_documents (kind, language, title, preface, source, imported_at,"
                " imported_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (kind, language, title, preface, source, moment, imported_by),
            )
            document_id = int(cursor.lastrowid or 0)
            await tx.executemany(
                "INSERT INTO kb_chapters (document_id, number, title) VALUES (?, ?, ?)",
                [(document_id, number, name) for number, name in chapters],
            )
            await tx.executemany(
                "INSERT INTO kb_entries (document_id, position, number, chapter_number, title,"
                " body) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (document_id, e.position, e.number, e.chapter_number, e.title, e.body)
                    for e in entries
                ],
            )
        return document_id

    async def activate(self, document_id: int, index: Iterable[IndexRow]) -> None:
        """Make a stored version current for its kind and language, swapping its index in."""
        async with self.db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT kind, language FROM kb_documents WHERE id = ?", (document_id,)
            )
            if row is None:
                raise LookupError(f"no document {document_id}")
            await tx.execute(
                "DELETE FROM kb_search WHERE rowid IN (SELECT e.id FROM kb_entries e JOIN"
                " kb_documents d ON d.id = e.document_id WHERE d.kind = ? AND d.language = ?"
                " AND d.is_current = 1)",
                (row["kind"], row["language"]),
            )
            await tx.execute(
                "UPDATE kb_documents SET is_current = 0 WHERE kind = ? AND language = ?",
                (row["kind"], row["language"]),
            )
            await tx.execute("UPDATE kb_documents SET is_current = 1 WHERE id = ?", (document_id,))
            await self._insert_index(tx, index)

    async def rebuild_index(self, index: Iterable[IndexRow], fingerprint: str) -> None:
        """Replace the whole search index and record the analyzer that built it."""
        async with self.db.transaction() as tx:
            await tx.execute("DELETE FROM kb_search")
            await self._insert_index(tx, index)
            await tx.execute(
                "INSERT INTO kb_meta (key, value) VALUES ('analyzer', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (fingerprint,),
            )

    @staticmethod
    async def _insert_index(tx: Transaction, index: Iterable[IndexRow]) -> None:
        """Insert index rows."""
        await tx.executemany(
            "INSERT INTO kb_search (rowid, title, body, chapter) VALUES (?, ?, ?, ?)",
            [(r.entry_id, r.title_terms, r.body_terms, r.chapter_terms) for r in index],
        )

    async def index_fingerprint(self) -> str | None:
        """Return the fingerprint of the analyzer that built the index, if any."""
        row = await self.db.fetchone("SELECT value FROM kb_meta WHERE key = 'analyzer'")
        return str(row["value"]) if row else None

    async def documents(self, kind: Kind, language: str) -> list[Document]:
        """Return every stored version, newest first."""
        rows = await self.db.fetchall(
            "SELECT d.*, (SELECT COUNT(*) FROM kb_entries e WHERE e.document_id = d.id)"
            " AS entries FROM kb_documents d WHERE kind = ? AND language = ? ORDER BY d.id DESC",
            (kind, language),
        )
        return [_document(row) for row in rows]

    async def current_document(self, kind: Kind, language: str) -> Document | None:
        """Return the current version, or None."""
        versions = await self.documents(kind, language)
        return next((d for d in versions if d.is_current), None)

    async def has_documents(self) -> bool:
        """Tell whether any document is current (one stored but never made current does not
        count: an import that was interrupted before it finished)."""
        row = await self.db.fetchone("SELECT 1 FROM kb_documents WHERE is_current = 1 LIMIT 1")
        return row is not None

    async def entries(self, document_id: int) -> list[Entry]:
        """Return a version's entries in order."""
        rows = await self.db.fetchall(
            f"SELECT {_ENTRY_COLUMNS} FROM {_ENTRY_FROM} WHERE e.document_id = ?"
            " ORDER BY e.position",
            (document_id,),
        )
        return [_entry(row) for row in rows]

    async def current_entries(
        self, kind: Kind | None = None, language: str | None = None
    ) -> list[Entry]:
        """Return the current entries, optionally of one kind and language, in order."""
        rows = await self.db.fetchall(
            f"SELECT {_ENTRY_COLUMNS} FROM {_ENTRY_FROM} WHERE d.is_current = 1"
            " AND (? IS NULL OR d.kind = ?) AND (? IS NULL OR d.language = ?)"
            " ORDER BY d.kind, d.language, e.position",
            (kind, kind, language, language),
        )
        return [_entry(row) for row in rows]

    async def article(self, language: str, number: int) -> Entry | None:
        """Return the current article with that number, or None."""
        row = await self.db.fetchone(
            f"SELECT {_ENTRY_COLUMNS} FROM {_ENTRY_FROM} WHERE d.is_current = 1"
            " AND d.kind = 'articles' AND d.language = ? AND e.number = ?",
            (language, number),
        )
        return _entry(row) if row else None

    async def entry(self, entry_id: int) -> Entry | None:
        """Return one entry by id."""
        row = await self.db.fetchone(
            f"SELECT {_ENTRY_COLUMNS} FROM {_ENTRY_FROM} WHERE e.id = ?", (entry_id,)
        )
        return _entry(row) if row else None

    async def chapters(self, language: str) -> list[Chapter]:
        """Return the current Articles' chapters with their article counts."""
        rows = await self.db.fetchall(
            "SELECT c.number, c.title, (SELECT COUNT(*) FROM kb_entries e WHERE"
            " e.document_id = c.document_id AND e.chapter_number = c.number) AS articles"
            " FROM kb_chapters c JOIN kb_documents d ON d.id = c.document_id"
            " WHERE d.is_current = 1 AND d.kind = 'articles' AND d.language = ? ORDER BY c.number",
            (language,),
        )
        return [Chapter(row["number"], row["title"], row["articles"]) for row in rows]

    async def chapter_articles(self, language: str, chapter: int | None) -> list[Entry]:
        """Return the current articles of one chapter (None: those outside any chapter)."""
        rows = await self.db.fetchall(
            f"SELECT {_ENTRY_COLUMNS} FROM {_ENTRY_FROM} WHERE d.is_current = 1"
            " AND d.kind = 'articles' AND d.language = ? AND e.chapter_number IS ?"
            " ORDER BY e.position",
            (language, chapter),
        )
        return [_entry(row) for row in rows]

    async def search(
        self, match: str, *, limit: int, title_weight: float, chapter_weight: float = 0.5
    ) -> list[SearchRow]:
        """Run an FTS5 MATCH over current entries, best bm25 first."""
        rows = await self.db.fetchall(
            f"SELECT {_ENTRY_COLUMNS}, s.title || ' ' || s.body AS terms, s.chapter AS chapter,"
            f" bm25(kb_search, ?, 1.0, ?) AS rank FROM kb_search s JOIN {_ENTRY_FROM}"
            " WHERE e.id = s.rowid AND kb_search MATCH ? ORDER BY rank LIMIT ?",
            (title_weight, chapter_weight, match, limit),
        )
        return [
            SearchRow(_entry(row), float(row["rank"]), row["terms"], row["chapter"] or "")
            for row in rows
        ]

    async def document_frequencies(self, terms: Iterable[str]) -> tuple[int, dict[str, int]]:
        """Return the number of indexed entries and, per term, how many contain it."""
        wanted = sorted(set(terms))
        total_row = await self.db.fetchone("SELECT COUNT(*) FROM kb_search")
        total = int(total_row[0]) if total_row else 0
        if not wanted:
            return total, {}
        marks = ", ".join("?" for _ in wanted)
        rows = await self.db.fetchall(
            f"SELECT term, doc FROM kb_search_vocab WHERE term IN ({marks})", wanted
        )
        return total, {row["term"]: int(row["doc"]) for row in rows}
