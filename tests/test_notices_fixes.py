"""Notices: audiences, approval without a second approver, approval races, languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from tests.harness import ADMIN_ID, BotHarness
from tests.test_notices import add_person, confirm_data, notice_texts, settle

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Fast delivery for tests."""
    return Settings(
        db_path=tmp_path / "association.sqlite3",
        admin_ids=frozenset({ADMIN_ID}),
        broadcast_rate=1000,
    )


async def test_council_notice_reaches_the_council_and_the_secretariat(bot: BotHarness) -> None:
    await add_person(bot, "Member", 101, role="member")
    await add_person(bot, "Councillor", 102, role="council")
    await add_person(bot, "Secretary", 103, role="secretariat")
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/notice audience=council\nCouncil meets on Friday")
    assert "the council and the secretariat" in bot.texts_to(ADMIN_ID, calls)[-1]
    await bot.tap(admin, confirm_data(calls))
    await settle(bot)
    assert notice_texts(bot, 101) == []
    assert notice_texts(bot, 102) == ["Council meets on Friday"]
    assert notice_texts(bot, 103) == ["Council meets on Friday"]
    assert "delivered: 3" in bot.texts_to(ADMIN_ID)[-1]  # the author is secretariat too
