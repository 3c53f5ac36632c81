"""Misspelt words of a question, corrected to the words the documents use.

A word is taken for a slip of the keyboard only when it is neither in the documents nor
in general English ("membrship", "proxxy", "buisness"); it is replaced by the document
word one edit away (a letter missing, added, changed, or two letters swapped), the
commonest in the documents when there are several. Short words are left alone: at four
letters or fewer too many words are one edit apart. Chinese words typed with a
character of the same sound are corrected too (`bot/knowledge/homophones.py`), and
Chinese abbreviations are spelt out as the documents' full names (专委会 for 专门委员会:
`bot/knowledge/abbreviations.py`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from bot.knowledge.abbreviations import AbbreviationReader
from bot.knowledge.homophones import HomophoneSpeller
from bot.knowledge.information import zipf

__all__ = ["Speller"]

MIN_LENGTH = 5
_WORD = re.compile(r"[a-z]+")


def _deletes(word: str) -> set[str]:
    """The word with one letter left out, each way."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit_apart(a: str, b: str) -> bool:
    """True when one deletion, insertion, substitution or swap of neighbours turns a into b."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        differ = [i for i in range(len(a)) if a[i] != b[i]]
        if len(differ) == 1:
            return True
        return (
            len(differ) == 2
            and differ[1] == differ[0] + 1
            and a[differ[0]] == b[differ[1]]
            and a[differ[1]] == b[differ[0]]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return short in _deletes(long)


class Speller:
    """Knows the documents' words; corrects a question's unknown ones."""

    def __init__(self, texts: Iterable[str]) -> None:
        texts = list(texts)
        self.chinese = HomophoneSpeller(texts)
        self.abbreviations = AbbreviationReader(self.chinese.text)
        self.counts: Counter[str] = Counter()
        for text in texts:
            self.counts.update(w for w in _WORD.findall(text.lower()) if len(w) >= MIN_LENGTH - 1)
        self._by_delete: dict[str, set[str]] = {}
        for word in self.counts:
            for key in {word, *_deletes(word)}:
                self._by_delete.setdefault(key, set()).add(word)

    def suggestion(self, word: str) -> str | None:
        """The document word meant by an unknown word, or None."""
        if len(word) < MIN_LENGTH or word in self.counts or zipf(word, "en") > 0:
            return None
        candidates = {
            known
            for key in {word, *_deletes(word)}
            for known in self._by_delete.get(key, ())
            if _one_edit_apart(word, known)
        }
        if not candidates:
            return None
        return max(sorted(candidates), key=lambda known: self.counts[known])

    def correct(self, question: str) -> str:
        """The question with its misspelt words replaced."""

        def replace(match: re.Match[str]) -> str:
            word = match.group(0)
            suggestion = self.suggestion(word.lower())
            return suggestion if suggestion is not None else word

        corrected = self.chinese.correct(re.sub(r"[A-Za-z]+", replace, question))
        return self.abbreviations.expand(corrected)
