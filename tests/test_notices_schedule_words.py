"""Schedules of notices in the reader's words, and a stopped repetition shows no next time."""

from __future__ import annotations

import re

from bot.transport import ApiCall
from tests.harness import ADMIN_ID, BotHarness

LATIN_WORD = re.compile(r"(?<![.\w])(?!cron\b)[A-Za-z]{2,}\b")  # cron is the expression's name


def _confirm(calls: list[ApiCall]) -> str:
    [data] = [d for call in calls for d in call.callback_data() if d.startswith("ntc:ok:")]
    return data


async def _guided_until_when(bot: BotHarness, admin: dict[str, object]) -> str:
    await bot.send(admin, "/notice")
    await bot.tap(admin, "ntc:aud:all")
    await bot.tap(admin, "ntc:cat:official")
    await bot.tap(admin, "ntc:rcp:no")
    await bot.send(admin, "每周例会提醒")
    calls = await bot.send(admin, "/skip")
    return bot.texts_to(ADMIN_ID, calls)[-1]


async def test_the_chinese_time_prompt_has_chinese_words_and_they_are_understood(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN_ID, "秘书", "zh")
    prompt = await _guided_until_when(bot, admin)
    assert prompt.startswith("什么时候发？")
    assert "每周一 09:00" in prompt and "每月1日 09:00" in prompt
    assert LATIN_WORD.findall(prompt) == []
    calls = await bot.send(admin, "下周")
    hint = bot.texts_to(ADMIN_ID, calls)[-1]
    assert hint.startswith("无法识别这个时间") and LATIN_WORD.findall(hint) == []
    calls = await bot.send(admin, "每周一 9：00")
    preview = bot.texts_to(ADMIN_ID, calls)[-1]
    assert "每周一 09:00" in preview and "下次：" in preview


async def test_chinese_monthly_and_daily_schedules_as_typed(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "秘书", "zh")
    await _guided_until_when(bot, admin)
    calls = await bot.send(admin, "每月15号 08:30")
    assert "每月 15 日 08:30（下次：2026年12月15日" in bot.texts_to(ADMIN_ID, calls)[-1]
    await _guided_until_when(bot, admin)
    calls = await bot.send(admin, "每天9:00")
    assert "每天 09:00" in bot.texts_to(ADMIN_ID, calls)[-1]


async def test_a_cancelled_repeating_notice_shows_no_next_time(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, '/notice cron="0 9 * * 1-5"\nDaily briefing')
    assert "(next: Mon, 30 Nov 2026 09:00)" in bot.texts_to(ADMIN_ID, calls)[-1]
    await bot.tap(admin, _confirm(calls))
    calls = await bot.send(admin, "/cancelnotice 1")
    assert "Notice #1 cancelled" in bot.texts_to(ADMIN_ID, calls)[-1]
    for command in ("/notices", "/notices 1"):
        calls = await bot.send(admin, command)
        text = bot.texts_to(ADMIN_ID, calls)[-1]
        assert "every weekday (Monday to Friday) at 09:00 (stopped: not sent again)" in text
        assert "next:" not in text and "30 Nov" not in text
