"""Delivery under a slow Bot API: the configured rate holds, never exceeded, shown honestly."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.config import Settings
from tests.harness import ADMIN_ID
from tests.slow_telegram import (
    SlowTelegram,
    add_members,
    in_bunches,
    running_bot,
    uniform,
    with_stalls,
)
from tests.virtual_time import run_virtual

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

RATE = 25
TEXT = "Slow link notice"


def settings_at(tmp_path: Path, rate: float = RATE) -> Settings:
    return Settings(
        db_path=tmp_path / "association.sqlite3",
        admin_ids=frozenset({ADMIN_ID}),
        broadcast_rate=rate,
    )


async def deliver(tmp_path: Path, api: SlowTelegram, members: int) -> list[str]:
    """Confirm one notice to `members` members; return the author's progress texts."""
    async with running_bot(settings_at(tmp_path), api) as bot:
        await add_members(bot, members)
        admin = bot.user(ADMIN_ID, "Sec")
        calls = await bot.send(admin, f"/notice\n{TEXT}")
        [confirm] = [d for c in calls for d in c.callback_data() if d.startswith("ntc:ok:")]
        await bot.tap(admin, confirm)
        service = bot.app.bot_data.notices
        assert service is not None
        await asyncio.wait_for(asyncio.gather(*service.tasks.values()), 600)
        texts = bot.texts_to(ADMIN_ID)
        assert "finished" in texts[-1] and f"delivered: {members + 1}" in texts[-1]
        return [c.text for c in api.sent(ADMIN_ID, "editMessageText")]


@pytest.mark.parametrize(
    "latency",
    [uniform(0.3, 0.7), with_stalls(1.0, 2.0, stall=5.0, every=40)],
    ids=["answers-0.3-0.7s", "answers-1-2s-with-5s-stalls"],
)
def test_configured_rate_holds_however_slowly_telegram_answers(
    tmp_path: Path, latency: Callable[[], float]
) -> None:
    api = SlowTelegram(RATE, latency)
    run_virtual(deliver(tmp_path, api, 299))
    assert api.rejected == 0
    assert api.rate_of(TEXT) >= 0.95 * RATE
    assert api.rate_of(TEXT) <= RATE


def test_progress_shows_the_rate_really_reached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.notices.author_reports.PROGRESS_EVERY", 1.0)
    api = SlowTelegram(RATE, in_bunches(2.0))
    edits = run_virtual(deliver(tmp_path, api, 299))
    rates = sorted(float(m.group(1)) for text in edits if (m := re.search(r"· ([\d.]+)/s", text)))
    assert len(rates) >= 8
    assert rates[-1] <= RATE  # never more than the configured rate, bunched answers or not
    assert rates[len(rates) // 2] >= 0.9 * RATE
