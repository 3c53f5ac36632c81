"""Cut an article or a mission section into passages: list items, sentences, clauses.

Each passage keeps what a reader needs to understand it on its own: a list item carries the
lead-in that introduces the list ("An applicant must meet the following conditions:"; the
lead-in is not a passage by itself, as it says nothing without its items), and
every passage carries its article's or section's own title (a chapter's title is
shared by too many passages to tell them apart). Those words go into the text that
is embedded; the passage shown to a reader is the item or sentence itself.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from storage.articles import Entry

__all__ = ["Passage", "digest", "passages"]

# A list item: "1.", "(2)", "（三）", "一、", "- ", "• ".
_ITEM = re.compile(
    r"^\s*(?:\d{1,3}[.)、．]|[（(][0-9一二三四五六七八九十]{1,3}[)）]"
    r"|[一二三四五六七八九十]{1,3}、|[-•*·])\s*"
)
_SENTENCE = re.compile(r"(?<=[。！？!?])|(?<=[.;；])\s+(?=[A-Z0-9(])")
_CLAUSE = re.compile(r"(?<=[；;])\s*")
LONG_SENTENCE = 160


@dataclass(frozen=True)
class Passage:
    """A piece of one entry: `text` is shown, `context` is embedded."""

    entry_id: int
    text: str
    context: str

    @property
    def key(self) -> str:
        """The digest of the embedded text, under which its vector is stored."""
        return digest(self.context)


def digest(text: str) -> str:
    """A short, stable name for a text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _sentences(line: str) -> list[str]:
    """Split a paragraph into sentences, and long sentences into clauses."""
    pieces: list[str] = []
    for sentence in _SENTENCE.split(line):
        sentence = sentence.strip()
        if not sentence:
            continue
        if len(sentence) > LONG_SENTENCE:
            pieces.extend(c.strip() for c in _CLAUSE.split(sentence) if c.strip())
        else:
            pieces.append(sentence)
    return pieces


def passages(entry: Entry) -> list[Passage]:
    """The entry's passages in order (the whole text is searched by its words)."""
    prefix = f"{entry.title}: " if entry.title else ""
    lead = ""
    found: list[Passage] = []
    lines = [line.strip() for line in entry.body.split("\n") if line.strip()]
    for index, line in enumerate(lines):
        if _ITEM.match(line):
            item = _ITEM.sub("", line, count=1)
            found.append(Passage(entry.id, line, f"{prefix}{lead} {item}".strip()))
            continue
        lead = line if line.endswith((":", "：")) else ""
        if lead and index + 1 < len(lines) and _ITEM.match(lines[index + 1]):
            continue  # a lead-in is read with each of its items, not alone
        for piece in _sentences(line):
            found.append(Passage(entry.id, piece, f"{prefix}{piece}"))
    if not found:
        found.append(Passage(entry.id, entry.body, f"{prefix}{entry.body}".strip()))
    return found
