"""Chinese abbreviations in a question, read as the documents' full names.

Chinese shortens a name by keeping a character or two of each of its words, in order:
专门委员会 becomes 专委会, 会员代表大会 会代会. A member writes the short form; the
documents spell the name out. A word of a question (as jieba cuts it), three or four characters
long, that the documents never use and that is not a word of general Chinese (wordfreq's
list: 外国人 is a word, not a short name) is read as the documents' commonest phrase that
starts with its first character, ends with its last, and holds the others in order,
with at most two characters between any two of them.
"""

from __future__ import annotations

import re
from collections import Counter

from bot.knowledge.information import zipf
from bot.knowledge.segmenter import segmenter

__all__ = ["AbbreviationReader"]

_RUN = re.compile(r"[\u4e00-\u9fff]+")
LENGTHS = (3, 4)
MAX_GAP = 2


class AbbreviationReader:
    """Knows the documents' Chinese text; spells out a question's abbreviations."""

    def __init__(self, text: str) -> None:
        """`text`: the documents' Chinese, one run of characters a line."""
        self._text = text

    def full_name(self, word: str) -> str | None:
        """The documents' phrase that `word` abbreviates, or None."""
        if len(word) not in LENGTHS or not _RUN.fullmatch(word) or word in self._text:
            return None
        if zipf(word, "zh") > 0:
            return None
        gap = f"[^\\n]{{0,{MAX_GAP}}}?"
        pattern = re.compile(gap.join(re.escape(char) for char in word))
        found = Counter(
            match.group(0)
            for match in pattern.finditer(self._text)
            if len(match.group(0)) > len(word)
        )
        if not found:
            return None
        return max(sorted(found), key=lambda phrase: found[phrase])

    def expand(self, question: str) -> str:
        """The question with its abbreviations spelt out."""
        if not self._text:
            return question
        return _RUN.sub(lambda match: self._expand_run(match.group(0)), question)

    def _expand_run(self, run: str) -> str:
        """One run of Chinese characters with its abbreviations spelt out."""
        return "".join(self.full_name(word) or word for word in segmenter().cut(run))
