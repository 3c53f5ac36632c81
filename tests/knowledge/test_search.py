"""Search over the shipped content: short Chinese queries, lookups, languages, versions."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.knowledge.answers import answer_payload
from bot.knowledge.parser import parse_articles
from bot.knowledge.service import KnowledgeBase
from bot.knowledge.text import default_analyzer
from storage.database import Database

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def kb(tmp_path: Path) -> AsyncIterator[KnowledgeBase]:
    """A knowledge base loaded from content/ on a fresh database file."""
    db = await Database.open(tmp_path / "kb.sqlite3")
    try:
        base = KnowledgeBase(db)
        await base.start()
        yield base
    finally:
        await db.close()


def numbers(result: object) -> list[int | None]:
    """Article numbers of a result's matches."""
    return [m.entry.number for m in result.matches]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("query", "article"), [("会费", 38), ("退会", 15), ("除名", 16)])
async def test_two_character_chinese_queries_find_their_article(
    kb: KnowledgeBase, query: str, article: int
) -> None:
    result = await kb.search(query, "zh")
    assert result.covered
    assert numbers(result)[0] == article


async def test_president_query_finds_president_articles(kb: KnowledgeBase) -> None:
    result = await kb.search("会长", "zh")
    assert result.covered
    assert {29, 31, 32, 33, 34} & set(numbers(result)[:3])


@pytest.mark.parametrize(
    ("question", "language", "article"),
    [("第十二条是什么", "zh", 12), ("第12条", "zh", 12), ("What does article 27 say?", "en", 27)],
)
async def test_article_number_lookups(
    kb: KnowledgeBase, question: str, language: str, article: int
) -> None:
    result = await kb.search(question, language)  # type: ignore[arg-type]
    assert result.reference == article
    assert numbers(result) == [article]
    assert result.matches[0].entry.language == language


async def test_english_question_with_synonyms(kb: KnowledgeBase) -> None:
    result = await kb.search("Who legally represents the association?", "en")
    assert numbers(result)[0] == 32


async def test_mixed_language_question_answers_in_the_readers_language(kb: KnowledgeBase) -> None:
    result = await kb.search("What are the 会费 for a vice-president unit?", "en")
    assert numbers(result)[0] == 38
    assert result.matches[0].entry.language == "en"


async def test_unrelated_question_is_not_covered(kb: KnowledgeBase) -> None:
    result = await kb.search("协会的银行账号是多少？", "zh")
    assert not result.covered
    assert answer_payload(result, "zh")["citations"] == []


async def test_import_replaces_and_restore_brings_back_the_previous_version(
    kb: KnowledgeBase,
) -> None:
    new = parse_articles("## Chapter 1 Basics\n### Article 1\nThe association plants trees.")
    await kb.import_articles(new, source="new.md")
    assert (await kb.search("trees", "en")).covered
    assert await kb.repo.article("en", 38) is None
    restored = await kb.restore("en")
    assert restored is not None and restored.entries == 50
    assert (await kb.repo.article("en", 38)) is not None
    assert not (await kb.search("trees", "en")).covered


async def test_chapters_list_with_counts(kb: KnowledgeBase) -> None:
    chapters = await kb.repo.chapters("en")
    assert len(chapters) == 8
    assert sum(c.articles for c in chapters) == 50


def test_ask_json_has_exactly_the_contract_keys(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "run_bot.py", "ask", "--json", "--lang", "en", "How much are the dues?"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"ASSOC_DB_PATH": str(tmp_path / "ask.sqlite3"), "PATH": "/usr/bin:/bin"},
    )
    payload = json.loads(completed.stdout)
    assert set(payload) == {"answer", "citations", "matches"}
    assert isinstance(payload["answer"], str)
    assert payload["citations"] and all(
        set(c) == {"article", "title"} for c in payload["citations"]
    )
    assert payload["citations"][0]["article"] == 38
    assert 0 < len(payload["matches"]) <= 5
    assert all(set(m) == {"article", "score"} for m in payload["matches"])
    scores = [m["score"] for m in payload["matches"]]
    assert scores == sorted(scores, reverse=True)


def test_rare_words_carry_more_information_than_common_ones() -> None:
    from bot.knowledge.information import information

    assert information("wechat", "en") > information("skip", "en") > information("the", "en")
    assert information("会费", "zh") > information("多少", "zh")


def test_list_lead_in_is_found_only_before_a_list() -> None:
    from bot.knowledge.service import lead

    assert lead("Members have the following rights:\n1. to vote;") == (
        "Members have the following rights:"
    )
    assert lead("本会的经费来源：\n（一）会费；") == "本会的经费来源："
    assert lead("The association is a non-profit organisation.") == ""


async def test_common_unseen_words_do_not_make_a_question_uncovered(kb: KnowledgeBase) -> None:
    result = await kb.search("What if I fail to pay my dues for a couple of years?", "en")
    assert result.covered and numbers(result)[0] == 15


async def test_a_rare_unseen_word_makes_a_question_uncovered(kb: KnowledgeBase) -> None:
    result = await kb.search("Is there a WeChat group for members?", "en")
    assert not result.covered


def test_a_synonym_group_alone_is_searched_for_a_grouped_word() -> None:
    (council,) = default_analyzer().concepts("council")
    assert all(term.startswith("qx") for term in council.query_terms)
    (plain,) = default_analyzer().concepts("hall")
    assert "hall" in plain.query_terms


async def test_a_word_only_in_the_chapter_title_counts_for_less(kb: KnowledgeBase) -> None:
    text = (
        "## Chapter 1 Property\n### Article 1\nThe council meets twice a year.\n"
        "### Article 2\nThe council manages the property of the association.\n"
    )
    await kb.import_articles(parse_articles(text, "en"))
    result = await kb.search("council property", "en", limit=50)
    english = {m.entry.number: m for m in result.matches if m.entry.language == "en"}
    assert english[2].coverage > english[1].coverage > 0.5
    assert english[2].score > english[1].score


def test_a_synonym_phrase_matches_with_stop_words_between_its_words() -> None:
    analyzer = default_analyzer()
    (leave,) = [
        c for c in analyzer.concepts("How do I cancel my membership?") if "cancel" in c.text
    ]
    assert leave.terms == frozenset({"qxleave"})
    assert "qxleave" in analyzer.terms("Members may cancel their membership in writing.")
    (amount, dues) = analyzer.concepts("How much are the dues?")
    assert amount.terms == frozenset({"qxamount"}) and dues.terms == frozenset({"qxdues"})


def test_an_irregular_form_matches_its_base_word() -> None:
    analyzer = default_analyzer()
    (paid,) = [c for c in analyzer.concepts("Are council members paid?") if c.text == "paid"]
    assert paid.terms & set(analyzer.terms("Council members receive no pay."))
    assert "hold" in analyzer.terms("The meeting is held once a year.")
    assert "found" in analyzer.terms("It was found in the minutes.")  # a word of its own
