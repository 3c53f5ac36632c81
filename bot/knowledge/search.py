"""Ranking: FTS5 bm25 over analysed terms, fused across parallel zh/en texts, with a cover check."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bot.knowledge.information import information
from bot.knowledge.text import Analyzer, Concept
from storage.articles import Entry, KnowledgeRepository, SearchRow

__all__ = ["Catalogue", "Match", "SearchResult", "Tuning", "rank"]

GroupKey = tuple[str, str, int]


@dataclass(frozen=True)
class Tuning:
    """The knobs of ranking and of the "not covered" decision."""

    candidates: int = 40
    title_weight: float = 4.0
    chapter_weight: float = 0.5
    chapter_credit: float = 0.5
    other_language_weight: float = 1.0
    min_coverage: float = 0.485
    min_matched_weight: float = 1.0
    part_credit: float = 0.5
    unseen_weight: float = 0.5
    coverage_power: float = 2.0
    information_power: float = 1.0
    rarity_power: float = 0.5


@dataclass(frozen=True)
class Match:
    """One candidate: the entry to show, its relevance and how much of the question it covers."""

    entry: Entry
    score: float
    coverage: float
    weight: float = 0.0


@dataclass(frozen=True)
class SearchResult:
    """What the search found for a question; `covered` is False when nothing answers it."""

    question: str
    language: str
    matches: tuple[Match, ...]
    covered: bool
    reference: int | None = None


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


def fts_query(concepts: Sequence[Concept]) -> str:
    """Build an FTS5 OR query from the concepts' query terms."""
    terms = sorted({t for c in concepts for t in c.query_terms})
    return " OR ".join(f'"{term}"' for term in terms)


def _idf(total: int, frequency: int) -> float:
    """BM25's inverse document frequency."""
    return math.log(1 + (total - frequency + 0.5) / (frequency + 0.5))


def concept_weight(
    concept: Concept, total: int, frequencies: dict[str, int], tuning: Tuning
) -> float:
    """A concept's weight: its information in general language times its rarity here.

    Rarity is the BM25 idf of the concept's commonest matching term relative to a term
    found nowhere; a concept found nowhere gets `unseen_weight`.
    """
    unseen = _idf(max(total, 1), 0)
    seen = [_idf(total, frequencies[t]) for t in concept.terms if frequencies.get(t)]
    rarity = min(seen) / unseen if seen else tuning.unseen_weight
    general = information(concept.text, concept.language)
    return float(general**tuning.information_power * rarity**tuning.rarity_power)


async def rank(
    repo: KnowledgeRepository,
    catalogue: Catalogue,
    analyzer: Analyzer,
    question: str,
    language: str,
    *,
    limit: int = 5,
    tuning: Tuning = Tuning(),
) -> SearchResult:
    """Rank the current entries for a question and decide whether any answers it."""
    concepts = analyzer.concepts(question)
    if not concepts:
        return SearchResult(question, language, (), False)
    rows = await repo.search(
        fts_query(concepts),
        limit=tuning.candidates,
        title_weight=tuning.title_weight,
        chapter_weight=tuning.chapter_weight,
    )
    total, frequencies = await repo.document_frequencies(
        t for c in concepts for t in (*c.terms, *c.parts)
    )
    weights = [concept_weight(c, total, frequencies, tuning) for c in concepts]
    groups: dict[GroupKey, list[SearchRow]] = {}
    for row in rows:
        groups.setdefault(catalogue.key(row.entry), []).append(row)
    scored = []
    for key, members in groups.items():
        relevance = 0.0
        for row in members:
            factor = 1.0 if row.entry.language == language else tuning.other_language_weight
            relevance += -row.bm25 * factor
        terms = {t for row in members for t in row.terms.split()}
        chapter = {t for row in members for t in row.chapter_terms.split()}
        matched = 0.0
        for concept, weight in zip(concepts, weights, strict=True):
            if concept.terms & terms:
                matched += weight
            elif concept.terms & chapter:
                matched += weight * tuning.chapter_credit
            elif concept.parts:
                share = len(concept.parts & terms) / len(concept.parts)
                matched += weight * share * tuning.part_credit
        coverage = matched / sum(weights)
        score = relevance * coverage**tuning.coverage_power
        scored.append((score, coverage, matched, key))
    scored.sort(key=lambda item: -item[0])
    matches = []
    for relevance, coverage, matched, key in scored[:limit]:
        entry = catalogue.shown(key, language)
        if entry is not None:
            matches.append(Match(entry, round(relevance, 4), round(coverage, 3), round(matched, 3)))
    covered = bool(scored) and (
        scored[0][1] >= tuning.min_coverage and scored[0][2] >= tuning.min_matched_weight
    )
    return SearchResult(question, language, tuple(matches), covered)
