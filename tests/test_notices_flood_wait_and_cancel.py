"""A delivery waits out a flood limit and stops when cancelled, on virtual time (no sleeping)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.config import Settings
from bot.transport import ApiCall, ApiError
from tests.harness import ADMIN_ID, RecordingBotApi
from tests.slow_telegram import running_bot
from tests.test_notices import add_person, confirm_data, service, settle
from tests.virtual_time import run_virtual

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Fast delivery, as in the other notice tests."""
    return replace(settings, broadcast_rate=1000)


def test_flood_wait_pauses_and_goes_on_while_members_get_replies(settings: Settings) -> None:
    """On virtual time: the one-second flood wait costs no wall-clock time."""

    async def scenario() -> None:
        async with running_bot(settings, RecordingBotApi()) as bot:
            for n in range(5):
                await add_person(bot, f"M{n}", 200 + n)
            first = True

            def respond(call: ApiCall) -> None:
                nonlocal first
                if call.chat_id and 200 <= call.chat_id < 300 and first:
                    first = False
                    raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)

            bot.api.responders["sendMessage"] = respond
            admin = bot.user(ADMIN_ID, "Sec")
            calls = await bot.send(admin, "/notice\nHello all")
            await bot.tap(admin, confirm_data(calls))
            for _ in range(100):
                if service(bot).limiter.paused_for > 0:
                    break
                await asyncio.sleep(0.01)
            assert service(bot).limiter.paused_for > 0
            started = asyncio.get_running_loop().time()
            calls = await bot.send(bot.user(300, "Guest"), "/help")
            assert bot.texts_to(300, calls)
            assert asyncio.get_running_loop().time() - started < 0.5
            await settle(bot)
            assert all(len(bot.api.sent(200 + n)) >= 1 for n in range(5))
            assert "delivered: 6" in bot.texts_to(ADMIN_ID)[-1]

    run_virtual(scenario())


def test_cancelnotice_stops_a_running_delivery(settings: Settings) -> None:
    """On virtual time: 40 members at 20 a second, cancelled 0.3 s in."""

    async def scenario() -> None:
        async with running_bot(replace(settings, broadcast_rate=20), RecordingBotApi()) as bot:
            for n in range(40):
                await add_person(bot, f"M{n}", 200 + n)
            svc = service(bot)
            admin = bot.user(ADMIN_ID, "Sec")
            calls = await bot.send(admin, "/notice\nLong run")
            await bot.tap(admin, confirm_data(calls))
            await asyncio.sleep(0.3)
            calls = await bot.send(admin, "/cancelnotice 1")
            assert "cancelled" in bot.texts_to(ADMIN_ID, calls)[-1]
            await settle(bot)
            sent = sum(len(bot.api.sent(200 + n)) for n in range(40))
            assert 0 < sent < 40
            counts = await svc.outbox.counts(1)
            assert counts.get("cancelled", 0) > 0
            assert "pending" not in counts and "sending" not in counts
            assert "was stopped" in bot.texts_to(ADMIN_ID)[-1]

    run_virtual(scenario())
