"""A clean stop while invitations go out: what was sent is recorded, nothing is sent twice."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from bot.config import Settings
from tests.harness import ADMIN_ID
from tests.meetings_support import FORM
from tests.slow_telegram import SlowTelegram, add_members, running_bot, uniform
from tests.virtual_time import run_virtual

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

RATE = 25
MEMBERS = 150
MARK = "Invitation to meeting #1"


def outbox_states(db_path: Path) -> Counter[str]:
    connection = sqlite3.connect(db_path)
    try:
        rows = connection.execute("SELECT state FROM meeting_outbox").fetchall()
    finally:
        connection.close()
    return Counter(state for (state,) in rows)


def invitations(api: SlowTelegram) -> Counter[int]:
    return Counter(chat for _, chat, text in api.arrivals if MARK in text)


async def stop_then_restart(settings: Settings, api: SlowTelegram) -> dict[str, object]:
    async with running_bot(settings, api) as bot:
        await add_members(bot, MEMBERS)
        admin = bot.user(ADMIN_ID, "Sec")
        calls = await bot.send(admin, f"/newmeeting {FORM} | audience=members")
        preview = next(call for call in calls if call.callback_data())
        confirm = asyncio.ensure_future(
            bot.tap(admin, preview.callback_data()[0], bot.api.last_message_to(ADMIN_ID))
        )
        await asyncio.sleep(3.0)  # virtual: the invitations are well under way
        service = bot.app.bot_data.meetings
        service.begin_stop()  # what SIGTERM does first
        stopped_at = asyncio.get_running_loop().time()
        await confirm
        # leaving the block is the Application's shut-down
    late = [at for at, _, text in api.arrivals if MARK in text and at > stopped_at]
    after_stop = outbox_states(settings.db_path)
    sent_before_restart = invitations(api)

    async with running_bot(settings, api) as bot:  # the start-up resumes the round
        service = bot.app.bot_data.meetings
        assert service._resumer is not None
        resumed = await asyncio.wait_for(service._resumer, 600)
    return {
        "late": late,
        "after_stop": after_stop,
        "sent_before_restart": sent_before_restart,
        "resumed": resumed,
    }


def test_clean_stop_during_invitations_records_the_sends_made_and_resends_none(
    tmp_path: Path,
) -> None:
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
    assert after_stop["sent"] == sum(sent_before.values())  # every send made is recorded
    assert 0 < after_stop["sent"] < MEMBERS
    assert result["late"] == []  # no invitation started after the stop began
    assert result["resumed"] == 1
    final = invitations(api)
    assert set(final.values()) == {1}  # each person invited once
    assert len(final) == MEMBERS + 1
    assert outbox_states(settings.db_path) == Counter({"sent": MEMBERS + 1})
