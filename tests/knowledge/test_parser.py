"""The Articles parser: markers in both languages, numerals, gaps and mistakes."""

from __future__ import annotations

import pytest

from bot.knowledge.numerals import chinese_to_int, roman_to_int
from bot.knowledge.parser import ParseError, gaps_text, parse_articles, parse_mission
from bot.knowledge.references import article_reference


@pytest.mark.parametrize(
    ("text", "value"),
    [("十二", 12), ("二十四", 24), ("十", 10), ("一百零五", 105), ("四十九", 49), ("二〇", 20)],
)
def test_chinese_numerals_are_read(text: str, value: int) -> None:
    assert chinese_to_int(text) == value


@pytest.mark.parametrize(("text", "value"), [("XII", 12), ("iv", 4), ("XLIX", 49), ("MMX", 2010)])
def test_roman_numerals_are_read(text: str, value: int) -> None:
    assert roman_to_int(text) == value


def test_invalid_roman_numeral_is_refused() -> None:
    assert roman_to_int("IIII") is None


def test_markdown_chinese_articles_with_chapters() -> None:
    parsed = parse_articles(
        "# 章程\n说明\n## 第一章 总则\n### 第一条\n本会名称。\n### 第二条\n宗旨。\n"
        "## 第二章 会员\n### 第三条\n会员。"
    )
    assert parsed.language == "zh"
    assert [(c.number, c.title) for c in parsed.chapters] == [(1, "总则"), (2, "会员")]
    assert [(a.number, a.chapter, a.body) for a in parsed.articles] == [
        (1, 1, "本会名称。"),
        (2, 1, "宗旨。"),
        (3, 2, "会员。"),
    ]
    assert parsed.title == "章程"
    assert parsed.preface == "说明"


def test_plain_text_markers_without_hashes_and_arabic_numbers() -> None:
    parsed = parse_articles("第1章 总则\n第1条 本会名称为某某协会。\n第2条 本会宗旨。\n")
    assert [a.number for a in parsed.articles] == [1, 2]
    assert parsed.articles[0].body == "本会名称为某某协会。"
    assert parsed.articles[0].title == ""


def test_english_roman_chapters_and_titled_articles() -> None:
    parsed = parse_articles(
        "Chapter I: General\nArticle 1 Name\nThe name is X.\n"
        "Chapter II Members\n### Article 2 - Joining\nAnyone may join.\n"
    )
    assert parsed.language == "en"
    assert [(c.number, c.title) for c in parsed.chapters] == [(1, "General"), (2, "Members")]
    assert [(a.number, a.title, a.chapter) for a in parsed.articles] == [
        (1, "Name", 1),
        (2, "Joining", 2),
    ]


def test_bracketed_chinese_article_titles() -> None:
    parsed = parse_articles("第一条【名称】本会名称为某某协会。\n第二条【宗旨】本会宗旨。")
    assert [(a.title, a.body) for a in parsed.articles] == [
        ("名称", "本会名称为某某协会。"),
        ("宗旨", "本会宗旨。"),
    ]


def test_numbering_gaps_are_reported() -> None:
    parsed = parse_articles("### Article 1\nOne.\n### Article 2\nTwo.\n### Article 5\nFive.")
    assert parsed.gaps == ((3, 4),)


def test_gaps_are_ranges_however_far_apart_the_numbers() -> None:
    parsed = parse_articles("### Article 1\nOne.\n### Article 3\nThree.\n### Article 999\nLast.")
    assert parsed.gaps == ((2, 2), (4, 998))
    assert gaps_text(parsed.gaps) == "2, 4–998"


@pytest.mark.parametrize(
    "number",
    ["20240101", "1000", "9223372036854775808", "9" * 5000, "一千零一", "二〇二四〇一〇一"],
)
def test_an_absurd_article_number_is_refused_with_its_line(number: str) -> None:
    with pytest.raises(ParseError, match=r"line 3: number .* is too large \(at most 999\)"):
        parse_articles(f"### Article 1\nOne.\n### Article {number}\nA date typo.")


def test_repeated_numbers_are_refused() -> None:
    with pytest.raises(ParseError):
        parse_articles("### Article 1\nOne.\n### Article 1\nAgain.")


def test_text_without_articles_is_refused() -> None:
    with pytest.raises(ParseError):
        parse_articles("Just some notes about the association.")


def test_language_is_given_explicitly() -> None:
    assert parse_articles("### Article 1\n本会名称。", "zh").language == "zh"


def test_mission_page_sections() -> None:
    page = parse_mission("# About\nIntro\n## Who we are\nA body.\n## Leadership\nThe president.")
    assert [(s.position, s.title, s.body) for s in page.sections] == [
        (1, "Who we are", "A body."),
        (2, "Leadership", "The president."),
    ]


@pytest.mark.parametrize(
    ("question", "number"),
    [
        ("What does article 27 say?", 27),
        ("Show me Article XIV", 14),
        ("第十二条是什么", 12),
        ("第12条", 12),
        ("art. 3", 3),
        ("会费", None),
        ("the Articles", None),
    ],
)
def test_article_references_in_questions(question: str, number: int | None) -> None:
    assert article_reference(question) == number
