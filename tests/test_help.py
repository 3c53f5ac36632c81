"""/help: every command of the person's role with how it is typed, in their language."""

from __future__ import annotations

import pytest

from storage.people import Role
from tests.harness import ADMIN_ID, BotHarness
from tests.roster_helpers import add_entry

LIMIT = 4096  # Telegram's longest message


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_help_shows_each_secretariat_command_with_its_syntax(
    bot: BotHarness, language: str
) -> None:
    [text] = bot.texts_to(ADMIN_ID, await bot.send(bot.user(ADMIN_ID, "Sec", language), "/help"))
    assert len(text) < LIMIT
    if language == "en":
        assert (
            "/newmeeting — call a meeting\n    <code>/newmeeting TITLE | YYYY-MM-DD HH:MM" in text
        )
        assert "<code>/meeting ID [set PERSON_ID yes|no|maybe" in text
        assert "<code>/article N</code>" in text and "<code>/questions [ID]</code>" in text
        assert "Typed alone, each secretariat command asks" in text
    else:
        assert "/newmeeting — 召集会议\n    <code>/newmeeting 标题 | 日期 时间 | 地点" in text
        assert (
            "<code>/article 条号</code>" in text
            and "<code>/members [编号、姓名或单位]</code>" in text
        )
        assert "[repeat=每天|每周|每月]" in text
    assert "<code>/mydata</code>" not in text  # a command without arguments needs no syntax line


@pytest.mark.parametrize(
    ("role", "has", "lacks"),
    [
        (Role.MEMBER, "<code>/ask QUESTION</code>", "/newmeeting"),
        (Role.COUNCIL, "/meetings — my upcoming meetings", "/notice"),
    ],
)
async def test_help_shows_only_the_commands_of_the_role(
    bot: BotHarness, role: Role, has: str, lacks: str
) -> None:
    await add_entry(bot, "Li", role, "en", telegram_id=61)
    [text] = bot.texts_to(61, await bot.send(bot.user(61, "Li"), "/help"))
    assert has in text and lacks not in text and "<code>/article N</code>" in text
    assert "Typed alone" not in text


async def test_a_guests_help_has_join_and_start_with_a_code(bot: BotHarness) -> None:
    [text] = bot.texts_to(90, await bot.send(bot.user(90, "Ivan", "zh"), "/help"))
    assert "<code>/start [邀请码]</code>" in text and "/join" in text and "/meetings" not in text
