"""Text analysis for search: Chinese word segmentation, English stemming and synonym groups."""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import snowballstemmer

from bot.knowledge.numerals import CHINESE_NUMERAL_CHARS, chinese_to_int
from bot.knowledge.segmenter import segmenter

__all__ = ["Analyzer", "Concept", "default_analyzer", "languages_of"]

DATA_DIR = Path(__file__).parent
ANALYZER_VERSION = "5"
_RUNS = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)|([a-z0-9]+(?:'[a-z]+)?)")
_CHINESE_NUMBER = re.compile(f"[{CHINESE_NUMERAL_CHARS}]{{2,}}")
_SYNONYM_PREFIX = "qx"
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")


def languages_of(text: str) -> tuple[str, ...]:
    """The languages a text is written in: "zh" for Chinese characters, "en" for English
    words of three letters or more; both for a question that mixes them."""
    return tuple(
        language
        for language, pattern in (("zh", _CHINESE), ("en", _ENGLISH_WORD))
        if pattern.search(text)
    )


@dataclass(frozen=True)
class Concept:
    """One meaningful unit of a question: the terms that match it fully, and its parts."""

    text: str
    terms: frozenset[str]
    parts: frozenset[str] = frozenset()
    language: str = "en"

    @property
    def query_terms(self) -> frozenset[str]:
        """Terms to search for: the synonym groups alone when the concept has one.

        The literal word still counts (as a part) for coverage, but does not pull in texts
        where it only occurs inside a longer term of another group.
        """
        if any(term.startswith(_SYNONYM_PREFIX) for term in self.terms):
            return self.terms
        return self.terms | self.parts


_STEMMER = snowballstemmer.stemmer("english")


@cache
def _irregular() -> dict[str, str]:
    """Irregular English forms ("paid", "chosen", "children") and the words they are forms of."""
    table = tomllib.loads((DATA_DIR / "inflections.toml").read_text(encoding="utf-8"))
    return {form: base for base, forms in table.get("en", {}).items() for form in forms.split()}


@cache
def stem(word: str) -> str:
    """Reduce an English word to its Snowball (Porter 2) stem, an irregular form ("paid",
    "held") to the stem of its base word ("pay", "hold")."""
    return str(_STEMMER.stemWord(_irregular().get(word, word)))


def normalise(text: str) -> str:
    """Fold width and case, and unify apostrophes."""
    return unicodedata.normalize("NFKC", text).lower().replace("’", "'")


def _arabic_numbers(run: str) -> str:
    """Write Chinese numbers of two or more characters (十八, 二十四) in Arabic digits."""

    def replace(match: re.Match[str]) -> str:
        start = match.start()
        if start > 0 and run[start - 1] == "第":
            return match.group(0)
        value = chinese_to_int(match.group(0))
        return str(value) if value is not None else match.group(0)

    return _CHINESE_NUMBER.sub(replace, run)


def _english_words(text: str) -> list[str]:
    """Split into English words without possessive endings."""
    words = []
    for word in re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text):
        if word.endswith("'s"):
            word = word[:-2]
        words.append(word)
    return words


class Analyzer:
    """Turns text into search terms; the same rules apply to documents and to questions."""

    def __init__(
        self, groups: Mapping[str, Iterable[str]], stop_en: Iterable[str], stop_zh: Iterable[str]
    ) -> None:
        self.stop_en = frozenset(stop_en)
        self.stop_zh = frozenset(stop_zh)
        self._zh_terms: dict[str, set[str]] = {}
        self._zh_single: dict[str, set[str]] = {}
        self._en_phrases: dict[tuple[str, ...], set[str]] = {}
        for key, terms in groups.items():
            token = _SYNONYM_PREFIX + re.sub(r"[^a-z0-9]", "", key.lower())
            for term in terms:
                term = normalise(term)
                if _RUNS.fullmatch(term) and _RUNS.fullmatch(term).group(1):  # type: ignore[union-attr]
                    table = self._zh_single if len(term) == 1 else self._zh_terms
                    table.setdefault(term, set()).add(token)
                else:
                    phrase = tuple(stem(word) for word in _english_words(term))
                    if phrase:
                        self._en_phrases.setdefault(phrase, set()).add(token)
        self._zh_sorted = sorted(self._zh_terms, key=len, reverse=True)
        self._longest_phrase = max((len(p) for p in self._en_phrases), default=1)
        digest = hashlib.sha256(ANALYZER_VERSION.encode())
        for item in sorted(f"{k}={sorted(v)}" for k, v in self._zh_terms.items()):
            digest.update(item.encode())
        for item in sorted(f"{k}={sorted(v)}" for k, v in self._en_phrases.items()):
            digest.update(item.encode())
        digest.update(" ".join(sorted(self.stop_en | self.stop_zh)).encode())
        digest.update(" ".join(f"{k}={v}" for k, v in sorted(_irregular().items())).encode())
        self.fingerprint = digest.hexdigest()[:16]

    @classmethod
    def from_files(cls, synonyms: Path, stopwords: Path) -> Analyzer:
        """Load synonym groups and stop words from TOML files."""
        groups = tomllib.loads(synonyms.read_text(encoding="utf-8")).get("groups", {})
        stops = tomllib.loads(stopwords.read_text(encoding="utf-8"))
        return cls(groups, stops.get("en", "").split(), stops.get("zh", "").split())

    def _zh_synonyms(self, run: str) -> list[tuple[int, int, set[str]]]:
        """Find synonym terms inside a Chinese run, longest first, without overlaps."""
        claimed = [False] * len(run)
        found = []
        for term in self._zh_sorted:
            start = run.find(term)
            while start >= 0:
                end = start + len(term)
                if not any(claimed[start:end]):
                    claimed[start:end] = [True] * len(term)
                    found.append((start, end, self._zh_terms[term]))
                start = run.find(term, start + 1)
        return found

    def _en_synonyms(self, stems: list[str], words: list[str]) -> list[tuple[int, int, set[str]]]:
        """Find synonym phrases in a list of stems, longest first, without overlaps.

        A phrase also matches with a stop word or two between its words ("cancel my
        membership" is "cancel membership"), so a possessive or an article does not hide it.
        """
        found = []
        position = 0
        while position < len(stems):
            for end, phrase in self._phrases_at(stems, words, position):
                keys = self._en_phrases.get(phrase)
                if keys:
                    found.append((position, end, keys))
                    position = end
                    break
            else:
                position += 1
        return found

    def _phrases_at(
        self, stems: list[str], words: list[str], start: int
    ) -> list[tuple[int, tuple[str, ...]]]:
        """(end, phrase) of the phrases that may begin at `start`, longest first: the words
        as they stand, then the same words with the stop words between them left out."""
        longest = min(self._longest_phrase, len(stems) - start)
        found = [
            (start + size, tuple(stems[start : start + size])) for size in range(longest, 0, -1)
        ]
        if words[start] in self.stop_en:
            return found
        content, position, gap = [start], start + 1, 0
        while position < len(stems) and len(content) < self._longest_phrase and gap <= 2:
            if words[position] in self.stop_en:
                gap += 1
            else:
                content.append(position)
                gap = 0
            position += 1
        gapped = [
            (content[size - 1] + 1, tuple(stems[i] for i in content[:size]))
            for size in range(len(content), 1, -1)
            if content[size - 1] - start + 1 > size  # a stop word was left out
        ]
        return sorted(found + gapped, key=lambda item: -len(item[1]))

    def concepts(self, text: str) -> list[Concept]:
        """Split a question into concepts, each with its matching terms (word and synonyms)."""
        text = normalise(text)
        concepts: list[Concept] = []
        words = _english_words(" ".join(m.group(2) for m in _RUNS.finditer(text) if m.group(2)))
        stems = [stem(word) for word in words]
        spans = {start: (end, keys) for start, end, keys in self._en_synonyms(stems, words)}
        index = 0
        while index < len(words):
            end, keys = spans.get(index, (index + 1, set()))
            content = [stems[i] for i in range(index, end) if words[i] not in self.stop_en]
            if content or keys:
                terms = frozenset(keys or content)
                if all(c.terms != terms for c in concepts):
                    literal = frozenset(content) - terms
                    concepts.append(Concept(" ".join(words[index:end]), terms, literal))
            index = end
        for match in _RUNS.finditer(text):
            if match.group(1):
                concepts.extend(self._zh_concepts(_arabic_numbers(match.group(1)), concepts))
        return concepts

    def _zh_concepts(self, run: str, seen: list[Concept]) -> list[Concept]:
        """Concepts of one Chinese run: jieba words with their synonym groups and sub-words."""
        spans = self._zh_synonyms(run)
        result: list[Concept] = []
        offset = 0
        for word in segmenter().cut(run):
            start, end = offset, offset + len(word)
            offset = end
            keys = {key for s, e, ks in spans if s < end and start < e for key in ks}
            keys |= self._zh_single.get(word, set())
            if word in self.stop_zh and not keys:
                continue
            terms = frozenset(keys or {word})
            parts = frozenset(
                part for part in segmenter().cut_for_search(word) if part != word and len(part) > 1
            ) | ({word} - terms)
            if any(c.terms == terms for c in [*seen, *result]):
                continue
            result.append(Concept(word, terms, parts, "zh"))
        return result

    def terms(self, text: str) -> list[str]:
        """Return the index terms of a document text (words, sub-words, stems, synonym keys)."""
        text = normalise(text)
        output: list[str] = []
        words: list[str] = []
        for match in _RUNS.finditer(text):
            if match.group(2):
                words.extend(_english_words(match.group(2)))
                continue
            run = _arabic_numbers(match.group(1))
            for _, _, keys in self._zh_synonyms(run):
                output.extend(sorted(keys))
            for word in segmenter().cut_for_search(run):
                if word.strip() and word not in self.stop_zh:
                    output.append(word)
                output.extend(sorted(self._zh_single.get(word, ())))
        stems = [stem(word) for word in words]
        for _, _, keys in self._en_synonyms(stems, words):
            output.extend(sorted(keys))
        output.extend(s for word, s in zip(words, stems, strict=True) if word not in self.stop_en)
        return output


@cache
def default_analyzer() -> Analyzer:
    """Return the analyzer built from the shipped synonym and stop-word files."""
    return Analyzer.from_files(DATA_DIR / "synonyms.toml", DATA_DIR / "stopwords.toml")
