"""Ranking: FTS5 bm25 over analysed terms fused with passage embeddings, with a cover check."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from bot.knowledge.catalogue import Catalogue, GroupKey
from bot.knowledge.dense import DenseIndex, EntryHit
from bot.knowledge.embedding import Vector
from bot.knowledge.information import information
from bot.knowledge.intents import SmallTalk
from bot.knowledge.particulars import (
    asks_about_a_coming_date,
    asks_for_contact_detail,
    holds_contact_detail,
)
from bot.knowledge.passages import passages
from bot.knowledge.text import Analyzer, Concept, languages_of
from storage.articles import Entry, KnowledgeRepository, SearchRow

__all__ = ["Catalogue", "GroupKey", "Match", "SearchResult", "Tuning", "rank"]


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
    semantic_weight: float = 0.5
    trust_power: float = 1.0
    consensus_bonus: float = 0.15
    coverage_bonus: float = 0.1
    chinese_weight_for_english: float = 0.8
    min_similarity_zh: float = 0.875
    min_similarity_en: float = 0.835
    coverage_similarity: float = 0.02
    consensus_similarity: float = 0.01
    coming_date_margin: float = 0.03

    def min_similarity(self, language: str) -> float:
        """How close by meaning a passage in `language` must be to answer a question.

        The model's cosine similarities run higher between Chinese texts than between
        English ones, so each language has its own bar (calibrated for multilingual-e5-small;
        another model needs its own). A question mixing the languages may clear either.
        """
        return self.min_similarity_zh if language == "zh" else self.min_similarity_en


@dataclass(frozen=True)
class Match:
    """One candidate: the entry to show, its relevance and how much of the question it covers."""

    entry: Entry
    score: float
    coverage: float
    weight: float = 0.0
    passage: str = ""


@dataclass(frozen=True)
class SearchResult:
    """What the search found for a question; `covered` is False when nothing answers it."""

    question: str
    language: str
    matches: tuple[Match, ...]
    covered: bool
    reference: int | None = None
    small_talk: SmallTalk | None = None


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


@dataclass
class _Group:
    """What both sides of the search found for one text (in one or both languages)."""

    lexical: float = 0.0
    coverage: float = 0.0
    matched: float = 0.0
    standing: float = 0.0
    hits: dict[int, EntryHit] = field(default_factory=dict)
    standings: dict[str, float] = field(default_factory=dict)
    places: dict[str, int] = field(default_factory=dict)


async def _lexical(
    repo: KnowledgeRepository,
    catalogue: Catalogue,
    concepts: Sequence[Concept],
    language: str,
    tuning: Tuning,
) -> dict[GroupKey, _Group]:
    """bm25 relevance times the share of the question's concepts each text covers."""
    groups: dict[GroupKey, _Group] = {}
    if not concepts:
        return groups
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
    members: dict[GroupKey, list[SearchRow]] = {}
    for row in rows:
        members.setdefault(catalogue.key(row.entry), []).append(row)
    for key, found in members.items():
        relevance = 0.0
        for row in found:
            factor = 1.0 if row.entry.language == language else tuning.other_language_weight
            relevance += -row.bm25 * factor
        terms = {t for row in found for t in row.terms.split()}
        chapter = {t for row in found for t in row.chapter_terms.split()}
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
        groups[key] = _Group(relevance * coverage**tuning.coverage_power, coverage, matched)
    return groups


def _semantic(
    groups: dict[GroupKey, _Group],
    catalogue: Catalogue,
    dense: DenseIndex,
    query: Vector,
    languages: Sequence[str],
    tuning: Tuning,
) -> None:
    """Add each text's best passage (either language) to the groups, with its standing.

    A similarity means little by itself (the model rates every text of a charter as fairly
    close to any question about associations, and its scale differs by language); what
    tells is how far the best passage stands above the texts' typical similarity, in
    standard deviations. A text in both languages stands as high as its closer version,
    except for a question written in English only: the model puts such a question close
    to short Chinese passages whatever they say (a list item of a few characters stands
    out for English questions of every kind, which English passages do not do for Chinese
    questions), so there the Chinese version's standing only counts averaged with the
    English one's, weighted by `chinese_weight_for_english`, and with the lean to short
    passages taken out (see `DenseIndex.best_without_length_lean`).
    """
    best = dense.best_per_entry(query)
    english = tuple(languages) == ("en",)
    closeness = {entry_id: hit.similarity for entry_id, hit in best.items()}
    if english:
        closeness.update(dense.best_without_length_lean(query, catalogue.ids_in["zh"]))
    scale: dict[str, tuple[float, float]] = {}
    for language in ("zh", "en"):
        values = np.array(
            [
                value
                for entry_id, value in closeness.items()
                if entry_id in catalogue.entries
                and catalogue.entries[entry_id].language == language
            ],
            dtype=np.float64,
        )
        if len(values):
            scale[language] = (float(np.median(values)), float(values.std()) or 1.0)
    for entry_id, hit in best.items():
        entry = catalogue.entries.get(entry_id)
        if entry is None:
            continue
        middle, spread = scale[entry.language]
        group = groups.setdefault(catalogue.key(entry), _Group())
        group.hits[entry_id] = hit
        group.standings[entry.language] = (closeness[entry_id] - middle) / spread
    for group in groups.values():
        both = group.standings.keys() == {"zh", "en"}
        if english and both:
            weight = tuning.chinese_weight_for_english
            zh, en = group.standings["zh"], group.standings["en"]
            group.standing = (en + weight * zh) / (1 + weight)
        elif group.standings:
            group.standing = max(group.standings.values())


def _lexically_covered(group: _Group, tuning: Tuning) -> bool:
    """Enough of the question's concepts, carrying enough information; or all of them."""
    if group.coverage >= 0.999:
        return True
    return group.coverage >= tuning.min_coverage and group.matched >= tuning.min_matched_weight


def _place(groups: dict[GroupKey, _Group], catalogue: Catalogue) -> None:
    """Each text's place (0 = first) among the texts, by meaning, in each language."""
    for language in ("zh", "en"):
        ranked = []
        for group in groups.values():
            similarity = max(
                (
                    hit.similarity
                    for entry_id, hit in group.hits.items()
                    if catalogue.entries[entry_id].language == language
                ),
                default=None,
            )
            if similarity is not None:
                ranked.append((similarity, group))
        ranked.sort(key=lambda item: -item[0])
        for place, (_, group) in enumerate(ranked):
            group.places[language] = place


def _closeness(
    group: _Group, catalogue: Catalogue, languages: Sequence[str], tuning: Tuning
) -> float:
    """How far the text's best passage stands above the bar of its language, in the
    question's language(s) (in any language when the text has no version in them)."""
    margins = {
        catalogue.entries[entry_id].language: hit.similarity
        - tuning.min_similarity(catalogue.entries[entry_id].language)
        for entry_id, hit in group.hits.items()
    }
    mine = [margins[language] for language in languages if language in margins]
    return max(mine or margins.values(), default=-1.0)


def _covered(
    group: _Group,
    catalogue: Catalogue,
    languages: Sequence[str],
    semantic: bool,
    tuning: Tuning,
    margin: float = 0.0,
) -> bool:
    """Whether the best text answers the question, from the words and the meaning.

    With the model, the text answers when it matches every concept of the question, or
    when its best passage is close enough by meaning, the share of the question's words
    it matches adding a little: a question about something the documents do not say
    (the weather, a phone number) finds only passages about neighbouring matters, and
    those stay below the bar whatever the charter. When the text is the closest by
    meaning in both languages, two readings of the question agree on it, and the bar is
    `consensus_similarity` lower. `margin` raises the bar (see `particulars`). Without
    the model, the words decide.
    """
    if not semantic:
        return _lexically_covered(group, tuning)
    if group.coverage >= 0.999:
        return True
    closeness = _closeness(group, catalogue, languages, tuning)
    if _closest_in_both(group):
        closeness += tuning.consensus_similarity
    return closeness + tuning.coverage_similarity * group.coverage >= margin


def _closest_in_both(group: _Group) -> bool:
    """Whether the text is the closest by meaning in Chinese and in English alike."""
    return len(group.places) == 2 and max(group.places.values()) == 0


async def rank(
    repo: KnowledgeRepository,
    catalogue: Catalogue,
    analyzer: Analyzer,
    question: str,
    language: str,
    *,
    limit: int = 5,
    tuning: Tuning = Tuning(),
    dense: DenseIndex | None = None,
    query: Vector | asyncio.Future[Vector | None] | None = None,
    kinds: frozenset[str] = frozenset({"articles", "mission"}),
    every_word: bool = False,
) -> SearchResult:
    """Rank the current entries for a question and decide whether any answers it.

    `query` may be the question's vector still being computed: the words are searched
    meanwhile, and it is awaited only when the meaning is needed. With `every_word`, only
    a text matching every concept of the question answers it (a question for the name of
    an office holder is answered only by a text that names that office).
    """
    concepts = analyzer.concepts(question)
    groups = await _lexical(repo, catalogue, concepts, language, tuning)
    vector = await query if isinstance(query, asyncio.Future) else query
    semantic = dense is not None and vector is not None and len(dense) > 0
    written = languages_of(question) or (language,)
    if semantic:
        assert dense is not None and vector is not None
        _semantic(groups, catalogue, dense, vector, written, tuning)
    groups = {
        key: group
        for key, group in groups.items()
        if key[0] in kinds and catalogue.readable(key, language)
    }
    if not groups:
        return SearchResult(question, language, (), False)
    if semantic:
        _place(groups, catalogue)
    best_lexical = max(groups.values(), key=lambda g: g.lexical)
    top_lexical = best_lexical.lexical or 1.0
    top_standing = max(max(g.standing for g in groups.values()), 1e-6)
    # The words rank the texts only as far as they explain the question: when the best
    # text by words matches a small share of it, the meaning decides.
    trust = best_lexical.coverage**tuning.trust_power if semantic else 1.0
    scored = []
    for key, group in groups.items():
        score = trust * group.lexical / top_lexical
        if semantic:
            closeness = max(0.0, group.standing) / top_standing
            score = (1 - tuning.semantic_weight) * score + tuning.semantic_weight * closeness
            if _closest_in_both(group):
                score += tuning.consensus_bonus  # the closest text in both languages
            # Texts about equally close by meaning are often a few hundredths apart by
            # chance; the share of the question's words a text matches tells them apart
            # (even when the words rank little because the best text by words matches few).
            score += tuning.coverage_bonus * group.coverage
        scored.append((score, key, group))
    scored.sort(key=lambda item: -item[0])
    matches = []
    for score, key, group in scored[:limit]:
        entry = catalogue.shown(key, language)
        if entry is not None:
            hit = group.hits.get(entry.id)
            passage = hit.passage.text if hit is not None else ""
            matches.append(
                Match(entry, round(score, 4), round(group.coverage, 3), group.matched, passage)
            )
    if matches and not matches[0].passage:
        best = matches[0]
        matches[0] = replace(best, passage=_passage_by_words(best.entry, concepts, analyzer))
    margin = tuning.coming_date_margin if asks_about_a_coming_date(question) else 0.0
    covered = _covered(scored[0][2], catalogue, written, semantic, tuning, margin)
    if every_word:
        covered = covered and scored[0][2].coverage >= 0.999
    if covered and asks_for_contact_detail(question):
        covered = bool(matches) and holds_contact_detail(matches[0].entry.body)
    return SearchResult(question, language, tuple(matches), covered)


def _passage_by_words(entry: Entry, concepts: Sequence[Concept], analyzer: Analyzer) -> str:
    """Without the model: the passage sharing the most of the question's concepts."""
    candidates = passages(entry)
    if len(candidates) < 2:
        return ""
    best, best_count = "", 0
    for passage in candidates:
        terms = set(analyzer.terms(passage.text))
        count = sum(1 for c in concepts if c.terms & terms)
        if count > best_count:
            best, best_count = passage.text, count
    return best
