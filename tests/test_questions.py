"""/questions: the questions passed to the secretariat, waiting first, answered or marked."""

from __future__ import annotations

from typing import Any

import pytest

from storage.knowledge_questions import QuestionRepository
from tests.dashboard_support import TOKEN, WEBAPP_URL, fetch, launch
from tests.harness import ADMIN_ID, BotHarness

PARKING = "Is there parking near the association's office?"
WECHAT = "Is there a WeChat group for members?"


async def _pass_on(bot: BotHarness, member: dict[str, Any], question: str) -> None:
    calls = await bot.send(member, question)
    [offer] = [c for c in calls if c.chat_id == member["id"] and c.callback_data()]
    await bot.tap(member, offer.callback_data()[0])


def _buttons(bot: BotHarness) -> list[str]:
    markup = bot.api.last_message_to(ADMIN_ID).get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


async def test_questions_lists_waiting_first_then_answered_and_marks_them(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, "/start")
    assert bot.texts_to(ADMIN_ID, await bot.send(admin, "/questions")) == [
        "No question has been passed to the secretariat yet."
    ]
    li, anna = bot.user(71, "Li Lei"), bot.user(72, "Anna")
    await _pass_on(bot, li, PARKING)
    await _pass_on(bot, anna, WECHAT)
    [listing] = bot.texts_to(ADMIN_ID, await bot.send(admin, "/questions"))
    assert "Waiting for an answer: 2" in listing
    assert listing.index("#1 · Li Lei") < listing.index("#2 · Anna")  # oldest first
    assert "parking near the association" in listing and "<b>waiting</b>" in listing
    assert _buttons(bot) == ["kbq:reply:1", "kbq:done:1", "kbq:reply:2", "kbq:done:2"]

    await bot.tap(admin, "kbq:reply:1")
    calls = await bot.send(admin, "Yes, behind the building.")
    assert "Yes, behind the building." in bot.texts_to(71, calls)[0]
    await bot.send(admin, "/questions")
    calls = await bot.tap(admin, "kbq:done:2")
    assert bot.alerts(calls) == [
        "Question #2 is marked answered; the member was not sent anything."
    ]
    assert bot.texts_to(72, calls) == []
    [redrawn] = bot.texts_to(ADMIN_ID, calls)
    assert "Waiting for an answer: 0" in redrawn
    assert "✅ #1 · Li Lei" in redrawn and "Answered by Sec" in redrawn
    assert "Yes, behind the building." in redrawn
    assert "✅ #2 · Anna" in redrawn and "Marked answered (outside the bot) by Sec" in redrawn
    assert _buttons(bot) == []
    calls = await bot.tap(admin, "kbq:done:2")
    assert bot.alerts(calls) == ["Question #2 had already been answered."]


async def test_one_question_in_full_and_bad_ids(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "秘书", "zh")
    await _pass_on(bot, bot.user(71, "李雷", "zh"), "会里有没有停车的地方，离办公室近一些的？")
    [one] = bot.texts_to(ADMIN_ID, await bot.send(admin, "/questions 1"))
    assert one.startswith("❓ #1 · 李雷") and "<b>待答复</b>" in one and "离办公室近一些的" in one
    assert _buttons(bot) == ["kbq:reply:1", "kbq:done:1:one"]
    calls = await bot.tap(admin, "kbq:done:1:one")
    [redrawn] = bot.texts_to(ADMIN_ID, calls)
    assert redrawn.startswith("✅ #1 · 李雷") and "标记为已答复" in redrawn
    [unknown] = bot.texts_to(ADMIN_ID, await bot.send(admin, "/questions 99"))
    assert unknown.startswith("没有转给秘书处的第 #99 号问题")
    for bad in ("abc", "99999999999999999999", "1 2"):
        [usage] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/questions {bad}"))
        assert "/questions 编号" in usage and "/questions 12" in usage


async def test_questions_is_for_the_secretariat_only(bot: BotHarness) -> None:
    member = bot.user(71, "Li Lei")
    await _pass_on(bot, member, PARKING)
    [refusal] = bot.texts_to(71, await bot.send(member, "/questions"))
    assert "parking" not in refusal and "secretariat" in refusal
    calls = await bot.tap(member, "kbq:done:1", bot.api.last_message_to(71))
    assert bot.alerts(calls) and "secretariat" in bot.alerts(calls)[0]
    question = await QuestionRepository(bot.app.bot_data.db).get(1)
    assert question is not None and question.status == "sent"


@pytest.mark.settings(token=TOKEN, webapp_url=WEBAPP_URL, webapp_port=0)
async def test_a_question_marked_answered_reads_so_on_the_dashboard(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, "/start")
    await _pass_on(bot, bot.user(71, "Li Lei"), PARKING)
    await bot.send(admin, "/questions")
    await bot.tap(admin, "kbq:done:1")
    page = await fetch(bot, "/dash/questions", launch(ADMIN_ID, bot.clock.now(), "en"))
    assert page.status == 200
    answered = page.text.split("Answered (1)")[1]
    assert "Marked answered (outside the bot) by Sec" in answered
