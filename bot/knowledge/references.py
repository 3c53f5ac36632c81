"""Questions that name an article by number: "article 12", "Art. XII", "第十二条", "第12条"."""

from __future__ import annotations

import re

from bot.knowledge.numerals import CHINESE_NUMERAL_CHARS, parse_number

__all__ = ["article_reference"]

_PATTERNS = (
    re.compile(r"\b(?:article|art\.?)\s*(?:no\.?\s*)?#?\s*(\d+|[ivxlc]+)\b", re.IGNORECASE),
    re.compile(rf"第\s*([0-9０-９{CHINESE_NUMERAL_CHARS}]+)\s*条"),
    re.compile(r"^\s*#?\s*(\d{1,3})\s*[?？]?\s*$"),
)


def article_reference(question: str) -> int | None:
    """Return the article number a question names, or None."""
    for pattern in _PATTERNS:
        match = pattern.search(question)
        if match:
            number = parse_number(match.group(1))
            if number:
                return number
    return None
