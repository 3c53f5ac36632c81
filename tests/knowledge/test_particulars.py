"""Questions for particulars the Articles do not hold: contact details, coming occasions."""

from __future__ import annotations

import pytest

from bot.knowledge.particulars import (
    asks_about_a_coming_date,
    asks_for_contact_detail,
    holds_contact_detail,
)


@pytest.mark.parametrize(
    "question",
    [
        "What's the secretariat's phone number?",
        "What is the office's fax number?",
        "Which bank account should I pay into?",
        "What’s the email address of the secretariat?",
        "secretariat phone number",
        "What is the association's website?",
        "What are the bank account details for paying dues?",
        "Which website do I apply on?",
        "秘书处电话是多少？",
        "会费转账的银行账号是多少？",
        "秘书处的邮箱地址是什么？",
        "协会的微信公众号叫什么？",
        "秘书处电话",
        "协会的网站是什么？",
    ],
)
def test_a_question_for_a_contact_detail_is_recognised(question: str) -> None:
    assert asks_for_contact_detail(question)


@pytest.mark.parametrize(
    "question",
    [
        "I moved and got a new phone number. Do I have to tell anyone?",
        "What should I do when my phone number changes?",
        "手机号换了要告诉协会吗",
        "在网站上怎么申请入会？",
        "How much are the dues?",
        "会费是多少？",
        "Who audits the accounts?",
        "What is the account of the council's work given to?",
        "What's the email policy of the association?",
        "What are the phone rules during meetings?",
        "Is there a website?",
        "Can I email my application?",
    ],
)
def test_a_question_that_only_mentions_a_detail_is_searched_as_usual(question: str) -> None:
    assert not asks_for_contact_detail(question)


@pytest.mark.parametrize(
    ("text", "holds"),
    [
        ("The secretariat answers on 0871-6531 2200 on weekdays.", True),
        ("电话：0871 65312200", True),
        ("Write to office@example.org.", True),
        ("See https://example.org/join for the form.", True),
        ("The Secretariat publishes the report on the association's website.", False),
        ("Members pay 200 yuan a year; the council has 15 to 35 members.", False),
        ("会员每年交纳会费200元。", False),
    ],
)
def test_a_contact_detail_is_digits_enough_an_email_or_a_web_address(
    text: str, holds: bool
) -> None:
    assert holds_contact_detail(text) is holds


@pytest.mark.parametrize(
    ("question", "coming"),
    [
        ("What's on this weekend?", True),
        ("Are there places left on next month's trip?", True),
        ("下个月去日本的出访团还有名额吗？", True),
        ("下周末有什么活动？", True),
        ("明天会下雨吗？", True),
        ("At last month's reception a staff member was rude. Where do I complain?", False),
        ("How often does the council meet?", False),
        ("理事会每月开会吗？", False),
    ],
)
def test_a_question_tied_to_a_coming_date_is_recognised(question: str, coming: bool) -> None:
    assert asks_about_a_coming_date(question) is coming
