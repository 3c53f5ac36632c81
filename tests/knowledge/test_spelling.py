"""Misspelt English words of a question are read as the documents' words."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.knowledge.information import information
from bot.knowledge.parser import parse_articles
from bot.knowledge.service import KnowledgeBase
from bot.knowledge.spelling import Speller
from storage.database import Database

DOCUMENTS = ["Membership dues are paid each year.", "A member may appoint a proxy."]


def test_a_word_one_edit_from_a_document_word_is_corrected() -> None:
    speller = Speller(DOCUMENTS)
    assert speller.correct("How much are membrship dues?") == "How much are membership dues?"
    assert speller.correct("Can I send a proxxy?") == "Can I send a proxy?"
    assert speller.correct("Who may I appiont?") == "Who may I appoint?"


def test_real_words_short_words_and_far_words_are_left_alone() -> None:
    speller = Speller([*DOCUMENTS, "The council meets yearly."])
    question = "Is the phone number of the membrshipx office on WeChat? Cna I pay?"
    assert speller.correct(question) == question


@pytest.fixture
async def kb(tmp_path: Path) -> AsyncIterator[KnowledgeBase]:
    """The shipped content, words only."""
    db = await Database.open(tmp_path / "kb.sqlite3")
    try:
        base = KnowledgeBase(db)
        await base.start()
        yield base
    finally:
        await db.close()


async def test_a_misspelt_question_finds_the_article_and_keeps_its_own_words(
    kb: KnowledgeBase,
) -> None:
    result = await kb.search("how much are the membrship fees for an individul?", "en")
    assert result.covered and result.matches[0].entry.number == 38
    assert result.question == "how much are the membrship fees for an individul?"


def test_a_chinese_word_missing_from_the_frequency_list_weighs_what_its_pieces_weigh() -> None:
    assert information("天发", "zh") < information("会费", "zh")  # 天 + 发, cut together
    assert information("银行账号", "zh") == information("账", "zh")
    assert information("澜江", "zh") == information("澜", "zh") > information("江", "zh")


CHINESE = [
    "会员退会应当书面通知秘书处，并交回会员证。",
    "本章程的修改，须经会员代表大会表决通过。",
    "视为自动退会。",
]


def test_a_chinese_word_typed_with_a_character_of_the_same_sound_is_corrected() -> None:
    speller = Speller(CHINESE)
    assert speller.correct("推会要走什么手续") == "退会要走什么手续"
    assert speller.correct("协会张程改了要谁批准？") == "协会章程改了要谁批准？"


def test_real_chinese_words_that_sound_like_document_words_are_left_alone() -> None:
    speller = Speller([*CHINESE, "会计和出纳不得兼任。"])
    for question in ("会员代表大会几年一届？", "协会成立是为了啥？", "收礼", "退会"):
        assert speller.correct(question) == question


async def test_a_chinese_question_with_a_slip_finds_the_article(kb: KnowledgeBase) -> None:
    result = await kb.search("推会", "zh")
    assert result.covered and result.matches[0].entry.number == 15
    assert result.question == "推会"


def test_a_chinese_abbreviation_is_read_as_the_documents_full_name() -> None:
    speller = Speller([*CHINESE, "本会设立三个专门委员会。"])
    assert speller.correct("协会有哪些专委会？") == "协会有哪些专门委员会？"
    assert speller.correct("会代会几年一届") == "会员代表大会几年一届"


def test_words_of_general_chinese_and_unknown_names_are_not_read_as_abbreviations() -> None:
    speller = Speller([*CHINESE, "外国友人可以申请入会。"])
    for question in ("外国人可以加入吗", "能用腾讯会议吗", "常务理事会", "专委会"):
        assert speller.correct(question) == question


COMMITTEES = """# 章程
## 第一章 机构
### 第一条
本会设立外事、文化、青年三个专门委员会。
### 第二条
理事会每年召开两次会议。
### 第三条
会员每年交纳会费。
"""


async def test_a_question_with_an_abbreviation_finds_the_article(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "kb.sqlite3")
    try:
        base = KnowledgeBase(db)
        await base.import_articles(parse_articles(COMMITTEES, "zh"))
        result = await base.search("协会下面有哪些专委会？", "zh")
        assert result.covered and result.matches[0].entry.number == 1
    finally:
        await db.close()
