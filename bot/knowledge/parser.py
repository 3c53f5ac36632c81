"""Read Articles of Association and the mission page from Markdown or plain text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from bot.i18n import t
from bot.knowledge.numerals import CHINESE_NUMERAL_CHARS, parse_number

__all__ = [
    "MAX_NUMBER",
    "Language",
    "ParseError",
    "ParseWarning",
    "ParsedArticle",
    "ParsedArticles",
    "ParsedChapter",
    "ParsedMission",
    "ParsedSection",
    "detect_language",
    "gap_ranges",
    "gaps_text",
    "parse_articles",
    "parse_mission",
]

Language = Literal["zh", "en"]

# Articles of Association run to tens of articles; a larger number is a typo (a date, say).
MAX_NUMBER = 999

_NUMBER = rf"[0-9{CHINESE_NUMERAL_CHARS}]+|[ivxlcdm]+"
_HASHES = r"(?P<hashes>#{1,6}\s*)?"
_CHAPTER = re.compile(
    rf"^{_HASHES}(?:chapter\s+(?P<en>{_NUMBER})\b|第\s*(?P<zh>{_NUMBER})\s*章)"
    r"\s*[:：.．、\-–—]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_ARTICLE = re.compile(
    rf"^{_HASHES}(?:(?:article|art\.)\s*(?P<en>{_NUMBER})\b|第\s*(?P<zh>{_NUMBER})\s*条)"
    r"\s*[:：.．、\-–—]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_BRACKETED = re.compile(r"^[【\[（(](?P<title>[^】\]）)]{1,40})[】\]）)]\s*(?P<body>.*)$")
_TITLE = re.compile(r"^#\s+(?P<title>.+)$")
_SECTION = re.compile(r"^##\s+(?P<title>.+)$")
_SENTENCE_END = ("。", ".", "；", ";", "：", ":", "，", ",")


class ParseError(ValueError):
    """The text has no Articles, or its numbering cannot be used.

    `key` names the reason in the catalogs (`articles_import.<key>`) with `values` filled in;
    `str()` is the English line, for the command line.
    """

    def __init__(self, key: str, **values: str | int) -> None:
        super().__init__(t("en", f"articles_import.{key}", **values))
        self.key = key
        self.values = values

    def text(self, language: Language) -> str:
        """The reason in `language` (HTML-safe)."""
        return t(language, f"articles_import.{self.key}", **self.values)


@dataclass(frozen=True)
class ParseWarning:
    """Something a reader should check before importing (`articles_import.<key>`)."""

    key: str
    values: tuple[tuple[str, str | int], ...] = ()

    def text(self, language: Language) -> str:
        """The warning in `language` (HTML-safe)."""
        return t(language, f"articles_import.{self.key}", **dict(self.values))

    def __str__(self) -> str:
        return self.text("en")


@dataclass(frozen=True)
class ParsedChapter:
    """A chapter heading: its number and title."""

    number: int
    title: str


@dataclass(frozen=True)
class ParsedArticle:
    """One article: number, chapter, own title (often empty) and text."""

    number: int
    chapter: int | None
    title: str
    body: str


@dataclass(frozen=True)
class ParsedArticles:
    """The Articles as read from one file, with what a reader should be told about them."""

    language: Language
    title: str
    preface: str
    chapters: tuple[ParsedChapter, ...]
    articles: tuple[ParsedArticle, ...]
    gaps: tuple[tuple[int, int], ...] = ()  # missing numbers as (first, last) ranges
    warnings: tuple[ParseWarning, ...] = field(default=())


@dataclass(frozen=True)
class ParsedSection:
    """One `##` section of the mission page."""

    position: int
    title: str
    body: str


@dataclass(frozen=True)
class ParsedMission:
    """The mission page: title, introduction and sections."""

    language: Language
    title: str
    preface: str
    sections: tuple[ParsedSection, ...]


def detect_language(text: str) -> Language:
    """Tell whether a text is written in Chinese or English (Chinese characters vs words)."""
    han = len(re.findall(r"[\u4e00-\u9fff]", text))
    words = len(re.findall(r"[A-Za-z]+", text))
    return "zh" if han >= words else "en"


def _marker(pattern: re.Pattern[str], line: str, line_number: int) -> tuple[int, str, bool] | None:
    """Match a chapter or article marker: (number, rest of line, had '#'); None if none.

    Raises ParseError for a number above MAX_NUMBER (read without building a huge int).
    """
    match = pattern.match(line)
    if not match:
        return None
    digits = match.group("en") or match.group("zh")
    number = parse_number(digits) if len(digits) <= 6 else MAX_NUMBER + 1
    if number is not None and number > MAX_NUMBER:
        shown = digits if len(digits) <= 20 else digits[:20] + "…"
        raise ParseError("number_too_large", line=line_number, number=shown, most=MAX_NUMBER)
    if number is None or number <= 0:
        return None
    return number, match.group("rest").strip(), bool(match.group("hashes"))


def _split_article_line(rest: str, hashed: bool, language: Language) -> tuple[str, str]:
    """Split what follows an article marker into (title, start of body)."""
    bracketed = _BRACKETED.match(rest)
    if bracketed:
        return bracketed.group("title").strip(), bracketed.group("body").strip()
    if hashed:
        return rest.strip("#* ").strip(), ""
    short = len(rest) <= 60 and not rest.endswith(_SENTENCE_END)
    if language == "en" and rest and short and not rest[:1].islower():
        return rest, ""
    return "", rest


def _clean(lines: list[str]) -> str:
    """Join body lines, dropping blank lines at the ends."""
    return "\n".join(lines).strip()


def parse_articles(text: str, language: Language | None = None) -> ParsedArticles:
    """Read chapters and articles; raise ParseError when there are none or numbers repeat."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    language = language or detect_language(text)
    title, preface_lines = "", []
    chapters: list[ParsedChapter] = []
    articles: list[ParsedArticle] = []
    current: tuple[int, str, list[str]] | None = None
    warnings: list[ParseWarning] = []

    def close() -> None:
        if current is not None:
            number, article_title, body = current
            chapter = chapters[-1].number if chapters else None
            articles.append(ParsedArticle(number, chapter, article_title, _clean(body)))

    for line_number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        chapter = _marker(_CHAPTER, line, line_number)
        article = None if chapter else _marker(_ARTICLE, line, line_number)
        if chapter:
            close()
            current = None
            number, rest, _ = chapter
            if any(c.number == number for c in chapters):
                warnings.append(ParseWarning("chapter_twice", (("number", number),)))
            chapters.append(ParsedChapter(number, rest.strip("#* ")))
        elif article:
            close()
            number, rest, hashed = article
            article_title, body_start = _split_article_line(rest, hashed, language)
            current = (number, article_title, [body_start] if body_start else [])
        elif current is not None:
            current[2].append(raw.rstrip())
        elif not title and _TITLE.match(line):
            title = _TITLE.match(line).group("title").strip()  # type: ignore[union-attr]
        elif not chapters:
            preface_lines.append(raw.rstrip())
    close()
    if not articles:
        raise ParseError("no_articles")
    numbers = [a.number for a in articles]
    repeated = sorted({n for n in numbers if numbers.count(n) > 1})
    if repeated:
        raise ParseError("numbers_repeat", numbers=", ".join(map(str, repeated)))
    gaps = gap_ranges(numbers)
    if numbers != sorted(numbers):
        warnings.append(ParseWarning("not_ascending"))
    empty = [a.number for a in articles if not a.body]
    if empty:
        warnings.append(ParseWarning("without_text", (("numbers", ", ".join(map(str, empty))),)))
    return ParsedArticles(
        language,
        title,
        _clean(preface_lines),
        tuple(chapters),
        tuple(articles),
        gaps,
        tuple(warnings),
    )


def gap_ranges(numbers: list[int]) -> tuple[tuple[int, int], ...]:
    """The numbers missing from 1 to max(numbers), as (first, last) ranges; linear in len."""
    ranges, expected = [], 1
    for number in sorted(set(numbers)):
        if number > expected:
            ranges.append((expected, number - 1))
        expected = number + 1
    return tuple(ranges)


def gaps_text(gaps: tuple[tuple[int, int], ...], separator: str = ", ") -> str:
    """Gaps as `3, 7–9` (empty when there are none)."""
    return separator.join(str(a) if a == b else f"{a}–{b}" for a, b in gaps)


def parse_mission(text: str, language: Language | None = None) -> ParsedMission:
    """Read the mission page: a `#` title, an introduction and `##` sections."""
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    language = language or detect_language(text)
    title, preface = "", []
    sections: list[tuple[str, list[str]]] = []
    for raw in text.split("\n"):
        line = raw.strip()
        section = _SECTION.match(line)
        if section:
            sections.append((section.group("title").strip(), []))
        elif sections:
            sections[-1][1].append(raw.rstrip())
        elif not title and _TITLE.match(line):
            title = _TITLE.match(line).group("title").strip()  # type: ignore[union-attr]
        else:
            preface.append(raw.rstrip())
    if not sections:
        raise ParseError("no_sections")
    return ParsedMission(
        language,
        title,
        _clean(preface),
        tuple(ParsedSection(i, name, _clean(body)) for i, (name, body) in enumerate(sections, 1)),
    )
