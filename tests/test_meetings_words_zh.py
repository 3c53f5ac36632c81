"""The guided meeting form asks for its time in Chinese words, with a date still to come."""

from __future__ import annotations

from tests.harness import ADMIN_ID, BotHarness


async def test_the_start_time_is_asked_with_a_chinese_example(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "秘书", "zh")
    await bot.send(admin, "/newmeeting")
    calls = await bot.send(admin, "理事会会议")
    [ask] = bot.texts_to(ADMIN_ID, calls)
    assert ask == "会议何时开始？请按协会所在时区写出日期和时间，例如 2026-12-05 14:30。"
    calls = await bot.send(admin, "下周五")
    answer = bot.texts_to(ADMIN_ID, calls)[-1]
    assert answer.startswith("无法识别日期时间，请按“年-月-日 时:分”写，例如 2026-12-05 14:30。")
    assert "YYYY" not in answer
