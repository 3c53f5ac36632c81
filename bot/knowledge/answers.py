"""Turn search results into the answer text and the `ask --json` object."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from bot.knowledge.intents import SmallTalk
from bot.knowledge.parser import Language
from bot.knowledge.search import SearchResult
from storage.articles import Entry

__all__ = [
    "answer_payload",
    "answer_text",
    "entry_title",
    "heading",
    "language_note",
    "quote",
    "small_talk_reply",
    "trim",
]

QUOTE_LIMIT = 3500


def entry_title(entry: Entry) -> str:
    """The article's own title, or its chapter's when it has none; a section's heading."""
    return entry.title or entry.chapter_title


def heading(entry: Entry, language: Language) -> str:
    """'Article N · title' / '第N条 · 标题'; for the mission page, the page and the section."""
    if entry.number is None:
        page = t(language, "knowledge.mission_heading")
        return t(language, "knowledge.mission_section", page=page, section=entry.title)
    label = t(language, "knowledge.article_heading", number=entry.number)
    title = entry_title(entry)
    return f"{label} · {title}" if title else label


def trim(text: str, limit: int = QUOTE_LIMIT) -> tuple[str, bool]:
    """Cut a text to `limit` characters at a line or sentence end; tell whether it was cut."""
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    for mark in ("\n", "。", ". ", "；", "; "):
        position = cut.rfind(mark)
        if position > limit // 2:
            return cut[: position + len(mark)].rstrip() + " …", True
    return cut.rstrip() + " …", True


def small_talk_reply(kind: SmallTalk, language: Language) -> str:
    """A short friendly answer to a greeting, thanks or the like."""
    return t(language, f"knowledge.smalltalk_{kind.value}")


def language_note(entry: Entry, language: Language) -> str:
    """A line saying the text is in the other language, or nothing."""
    return "" if entry.language == language else t(language, "knowledge.other_language_note")


def quote(entry: Entry, passage: str, language: Language) -> tuple[str, str, bool]:
    """(heading, body, cut): the answering passage first and marked, then the rest trimmed."""
    body = entry.body
    lead = ""
    if passage and passage != body and passage in body:
        lead = t(language, "knowledge.answer_passage", passage=passage)
        rest = body.replace(passage, "…", 1).strip()
        body = f"{lead}\n\n{rest}" if rest != "…" else lead
    note = language_note(entry, language)
    trimmed, cut = trim(body)
    return heading(entry, language), f"{note}\n{trimmed}" if note else trimmed, cut


def answer_text(result: SearchResult, language: Language) -> str:
    """The plain-text answer: the best entry quoted under its heading, or "not covered"."""
    if result.small_talk is not None:
        return small_talk_reply(result.small_talk, language)
    if not result.covered or not result.matches:
        return t(language, "knowledge.not_covered")
    best = result.matches[0]
    title, body, cut = quote(best.entry, best.passage, language)
    text = f"{title}\n{body}"
    if cut and best.entry.number is not None:
        text += "\n" + t(language, "knowledge.more", number=best.entry.number)
    return text


def answer_payload(result: SearchResult, language: Language) -> dict[str, Any]:
    """The `ask --json` object: answer, citations (empty when not covered) and matches.

    Mission-page sections have no article number; they appear as article 0 with the
    section heading as title.
    """
    citations = []
    if result.covered and result.matches:
        best = result.matches[0].entry
        citations.append({"article": best.number or 0, "title": entry_title(best)})
    return {
        "answer": answer_text(result, language),
        "citations": citations,
        "matches": [
            {"article": m.entry.number or 0, "score": float(m.score)} for m in result.matches[:5]
        ],
    }
