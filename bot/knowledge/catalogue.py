"""The current entries in memory, and which of them say the same thing in two languages."""

from __future__ import annotations

from collections.abc import Sequence

from storage.articles import Entry

__all__ = ["Catalogue", "GroupKey"]

GroupKey = tuple[str, str, int]


class Catalogue:
    """The current entries in memory: which ones say the same thing in the other language."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = {entry.id: entry for entry in entries}
        self.by_key: dict[tuple[GroupKey, str], Entry] = {}
        shapes: dict[tuple[str, str], list[int]] = {}
        for entry in entries:
            shapes.setdefault((entry.kind, entry.language), []).append(self._ordinal(entry))
        self.parallel = {
            kind: shapes.get((kind, "zh")) == shapes.get((kind, "en")) is not None
            for kind in ("articles", "mission")
        }
        for entry in entries:
            self.by_key[(self.key(entry), entry.language)] = entry
        self.languages = {(kind, language) for kind, language in shapes}
        self.ids_in = {
            language: frozenset(e.id for e in entries if e.language == language)
            for language in ("zh", "en")
        }

    def readable(self, key: GroupKey, language: str) -> bool:
        """False for a text of the other language when the reader's language has its own
        (the two texts are out of step, so the reader's own is the one to quote)."""
        kind, text_language, _ = key
        return text_language in ("*", language) or (kind, language) not in self.languages

    @staticmethod
    def _ordinal(entry: Entry) -> int:
        """Number for articles, position for sections."""
        return entry.number if entry.number is not None else entry.position

    def key(self, entry: Entry) -> GroupKey:
        """Entries sharing a key are one text in two languages (when the texts are parallel)."""
        language = "*" if self.parallel.get(entry.kind) else entry.language
        return entry.kind, language, self._ordinal(entry)

    def shown(self, key: GroupKey, language: str) -> Entry | None:
        """The entry of a group in the reader's language, else in the other one."""
        other = "en" if language == "zh" else "zh"
        for lang in (language, other):
            entry = self.by_key.get((key, lang))
            if entry is not None:
                return entry
        return None
