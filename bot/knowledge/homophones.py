"""Chinese words typed with the wrong character of the same sound, corrected to the
documents' words.

Chinese is typed by its sound (pinyin), so the commonest slip is a character that sounds
like the right one: "张程" for 章程, "推会" for 退会. A stretch of a question that is
neither in the documents nor a word of general Chinese (jieba's dictionary, wordfreq's
list) is read as the document word of the same length that sounds the same and differs
in one character. The sounds come from the pypinyin package's table of characters, read
directly (its phrase tables, some 50 MB in memory, are not needed and not loaded).
"""

from __future__ import annotations

import importlib.util
import itertools
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from wordfreq import get_frequency_dict

from bot.knowledge.information import zipf
from bot.knowledge.segmenter import segmenter

__all__ = ["HomophoneSpeller", "sounds"]

_ENTRY = re.compile(r'\s*"(\d+)"\s*:\s*"([^"]+)"')
_RUN = re.compile(r"[\u4e00-\u9fff]+")
LENGTHS = (4, 3, 2)
MAX_READINGS = 8  # sound combinations considered per word


@cache
def _table() -> dict[str, tuple[str, ...]]:
    """The readings, without tones, of each character used in general Chinese (those of
    wordfreq's list, some 5,000: a slip of the keyboard gives a common character)."""
    spec = importlib.util.find_spec("pypinyin")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(next(iter(spec.submodule_search_locations))) / "pinyin_dict.json"
    common = {char for word in get_frequency_dict("zh", wordlist="small") for char in word}
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    table = {}
    with path.open(encoding="utf-8") as lines:  # one character a line: read as it goes
        for line in lines:
            entry = _ENTRY.match(line)
            char = chr(int(entry.group(1))) if entry else ""
            if entry and char in common:
                readings = {sys.intern(_toneless(r)) for r in entry.group(2).split(",")}
                plain = tuple(sorted(readings))
                table[char] = shared.setdefault(plain, plain)
    return table


def _toneless(reading: str) -> str:
    """'tuì' -> 'tui', 'lǜ' -> 'lu'."""
    return "".join(c for c in unicodedata.normalize("NFD", reading) if c.isascii())


def sounds(word: str) -> list[tuple[str, ...]]:
    """The word's possible sounds, one syllable per character (a few at most)."""
    table = _table()
    readings = [table.get(char, (char,)) for char in word]
    return list(itertools.islice(itertools.product(*readings), MAX_READINGS))


def _known(word: str) -> bool:
    """A word of general Chinese: in jieba's dictionary or wordfreq's list."""
    return bool(segmenter().FREQ.get(word)) or zipf(word, "zh") > 0


class HomophoneSpeller:
    """Knows the documents' Chinese words by their sound; corrects a question's slips."""

    def __init__(self, texts: Iterable[str]) -> None:
        runs = [run for text in texts for run in _RUN.findall(text)]
        self.text = "\n".join(runs)  # the documents' Chinese, one run of characters a line
        self.counts: Counter[str] = Counter(
            word
            for run in runs
            for word in segmenter().cut_for_search(run)
            if len(word) in LENGTHS and _RUN.fullmatch(word)
        )
        self._by_sound: dict[tuple[str, ...], set[str]] = {}
        for word in self.counts:
            for sound in sounds(word):
                self._by_sound.setdefault(sound, set()).add(word)

    def suggestion(self, stretch: str) -> str | None:
        """The document word a stretch of a question was meant to be, or None."""
        if stretch in self.text or _known(stretch):
            return None
        candidates = {
            word
            for sound in sounds(stretch)
            for word in self._by_sound.get(sound, ())
            if sum(a != b for a, b in zip(word, stretch, strict=True)) == 1
        }
        if not candidates:
            return None
        return max(sorted(candidates), key=lambda word: self.counts[word])

    def correct(self, question: str) -> str:
        """The question with its mistyped Chinese words replaced."""
        if not self.counts:
            return question
        return _RUN.sub(lambda match: self._correct_run(match.group(0)), question)

    def _correct_run(self, run: str) -> str:
        """Replace the mistyped stretches of one run of characters, longest first.

        A stretch is made of whole words of the run as jieba cuts it, none of them a word
        of general Chinese two characters long or more: a slip leaves single characters
        or a word no dictionary knows ("推/会", "里/事会", "张程"), and a stretch across
        real words ("大会/几年") is not a slip.
        """
        words = list(segmenter().cut(run))
        output: list[str] = []
        index = 0
        while index < len(words):
            for end in range(len(words), index, -1):
                stretch = "".join(words[index:end])
                if len(stretch) not in LENGTHS:
                    continue
                if any(len(w) > 1 and _known(w) for w in words[index:end]):
                    continue
                suggestion = self.suggestion(stretch)
                if suggestion is not None:
                    output.append(suggestion)
                    index = end
                    break
            else:
                output.append(words[index])
                index += 1
        return "".join(output)
