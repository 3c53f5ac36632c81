"""Every number a user types is checked before it reaches SQLite: usage and example, no error."""

from __future__ import annotations

import pytest

from bot.cli import main
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import confirmed_meeting, council

HUGE = "99999999999999999999"
ENDLESS = "7" * 5000
ODD_DIGITS = "²"  # str.isdigit() says yes, int() says no


def no_error_alerts(bot: BotHarness) -> None:
    texts = " ".join(bot.texts_to(ADMIN_ID))
    assert "went wrong" not in texts and "hit an error" not in texts


async def test_article_with_an_impossible_number_answers_usage(bot: BotHarness) -> None:
    member = bot.user(70, "Anna")
    for number in (HUGE, ENDLESS, ODD_DIGITS, "0", "-3"):
        [answer] = bot.texts_to(70, await bot.send(member, f"/article {number}"))
        assert "/article N" in answer and "/article 12" in answer, (number, answer)
    no_error_alerts(bot)


async def test_secretariat_commands_with_impossible_numbers_answer_usage(bot: BotHarness) -> None:
    await council(bot, 1)
    await confirmed_meeting(bot)
    admin = bot.user(ADMIN_ID, "Sec")
    for command in (
        f"/meeting 1 set {HUGE} yes",
        f"/meeting 1 set {ENDLESS} yes",
        f"/meeting 1 set {ODD_DIGITS} yes",
        f"/meeting {ODD_DIGITS}",
        f"/remind {HUGE}",
        f"/export {ENDLESS}",
        f"/cancelmeeting {ODD_DIGITS}",
        f"/members {HUGE}",
        f"/invite {HUGE}",
        f"/cancelnotice {HUGE}",
        f"/newmeeting T | 2026-12-15 10:00 | Hall | capacity={ODD_DIGITS}",
        f"/newmeeting T | 2026-12-15 10:00 | Hall | capacity={ENDLESS}",
        f'/notice cron="{ODD_DIGITS} 9 * * *"\nThe hall is booked.',
        f'/notice cron="0 9 * * {ODD_DIGITS}"\nThe hall is booked.',
        f'/notice cron="{ENDLESS} 9 * * *"\nThe hall is booked.',
    ):
        answer = "\n".join(bot.texts_to(ADMIN_ID, await bot.send(admin, command)))
        assert "usage" in answer.lower() and "example" in answer.lower(), (command, answer)
        assert len(answer) < 4096
    no_error_alerts(bot)


async def test_questions_and_buttons_naming_an_impossible_article_get_an_answer(
    bot: BotHarness,
) -> None:
    member = bot.user(70, "Anna")
    for question in (
        f"article {HUGE}",
        f"第{HUGE}条",
        f"article {ENDLESS}",
        f"/ask article {HUGE}",
    ):
        assert bot.texts_to(70, await bot.send(member, question)), question
    await bot.send(member, "/articles")
    for data in (f"kb:a:{HUGE}", f"kb:c:{HUGE}:0", f"kb:a:{ODD_DIGITS}", f"kb:c:1:{ENDLESS}"):
        await bot.tap(member, data)
    no_error_alerts(bot)


def test_command_line_ids_out_of_range_are_one_plain_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for argv in (["export-rsvps", HUGE], ["console", "--user", ENDLESS]):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 2
        err = capsys.readouterr().err
        assert "is not an id (1 to 999999999)" in err and "Traceback" not in err
