"""A clean stop during a delivery: sends already made are awaited and recorded, none resent."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from bot.config import Settings
from tests.harness import ADMIN_ID
from tests.slow_telegram import SlowTelegram, add_members, running_bot, uniform
from tests.virtual_time import run_virtual

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

RATE = 25
MEMBERS = 150
TEXT = "Stopped mid-way"


def outbox_states(db_path: Path) -> Counter[str]:
    connection = sqlite3.connect(db_path)
    try:
        rows = connection.execute("SELECT state FROM notice_outbox").fetchall()
    finally:
        connection.close()
    return Counter(state for (state,) in rows)


async def stop_then_restart(settings: Settings, api: SlowTelegram) -> dict[str, object]:
    async with running_bot(settings, api) as bot:
        await add_members(bot, MEMBERS)
        admin = bot.user(ADMIN_ID, "Sec")
        calls = await bot.send(admin, f"/notice\n{TEXT}")
        [confirm] = [d for c in calls for d in c.callback_data() if d.startswith("ntc:ok:")]
        await bot.tap(admin, confirm)
        await asyncio.sleep(3.0)  # virtual: the delivery is well under way
        service = bot.app.bot_data.notices
        assert service is not None
        service.begin_stop()  # what SIGTERM does first
        stopped_at = asyncio.get_running_loop().time()
        # leaving the block is the Application's shut-down
    late = [at for at, _, text in api.arrivals if text == TEXT and at > stopped_at]
    after_stop = outbox_states(settings.db_path)
    sent_before_restart = Counter(chat for _, chat, text in api.arrivals if text == TEXT)

    async with running_bot(settings, api) as bot:
        service = bot.app.bot_data.notices
        assert service is not None
        released = await service.outbox.release_in_flight()
        await service.resume()
        await asyncio.wait_for(asyncio.gather(*service.tasks.values()), 600)
        report = bot.texts_to(ADMIN_ID)[-1]
    return {
        "late": late,
        "after_stop": after_stop,
        "sent_before_restart": sent_before_restart,
        "released": released,
        "report": report,
    }


def test_clean_stop_waits_for_sends_made_records_them_and_resends_none(tmp_path: Path) -> None:
    settings = Settings(
        db_path=tmp_path / "association.sqlite3",
        admin_ids=frozenset({ADMIN_ID}),
        broadcast_rate=RATE,
    )
    api = SlowTelegram(RATE, uniform(1.0, 2.0))
    result = run_virtual(stop_then_restart(settings, api))

    after_stop = result["after_stop"]
    assert isinstance(after_stop, Counter)
    assert after_stop["sending"] == 0  # nothing left in flight to resend
    sent_before = result["sent_before_restart"]
    assert isinstance(sent_before, Counter)
    # Every send Telegram got before the stop is recorded as sent, and only those.
    assert after_stop["sent"] == sum(sent_before.values())
    assert 0 < after_stop["sent"] < MEMBERS
    assert after_stop["pending"] == MEMBERS + 1 - after_stop["sent"]
    assert result["late"] == []  # no send started after the stop began
    assert result["released"] == 0
    final = Counter(chat for _, chat, text in api.arrivals if text == TEXT)
    assert set(final.values()) == {1}  # each person got the notice once
    assert len(final) == MEMBERS + 1
    assert f"delivered: {MEMBERS + 1}" in str(result["report"])
