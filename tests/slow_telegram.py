"""A slow fake Telegram on virtual time, and the real Application started on it."""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from telegram.request import RequestData

from bot.app import AppContext, build_application, on_shutdown, on_startup
from bot.clock import FixedClock
from bot.config import Settings
from storage.timestamps import to_db
from tests.conftest import START
from tests.harness import BotHarness, RecordingBotApi

__all__ = ["SlowTelegram", "add_members", "in_bunches", "running_bot", "uniform", "with_stalls"]

_PACED = {"sendMessage", "editMessageText", "sendPhoto", "sendDocument"}


def uniform(low: float, high: float, seed: int = 1) -> Callable[[], float]:
    """Answer times spread evenly between `low` and `high` seconds."""
    draw = random.Random(seed)
    return lambda: draw.uniform(low, high)


def with_stalls(
    low: float, high: float, stall: float, every: int, seed: int = 1
) -> Callable[[], float]:
    """Answer times between `low` and `high`, and one in `every` taking `stall` seconds."""
    draw = random.Random(seed)
    return lambda: stall if draw.randrange(every) == 0 else draw.uniform(low, high)


def in_bunches(every: float) -> Callable[[], float]:
    """Answers held back and all given together every `every` seconds (a congested link)."""
    return lambda: every - asyncio.get_running_loop().time() % every


class SlowTelegram(RecordingBotApi):
    """Answers each send after `latency()` seconds (virtual) and enforces `rate` per second.

    Like Telegram, it counts the sends that arrive in any sliding second; one more than
    `rate` is answered 429 with retry_after=1.
    """

    def __init__(self, rate: float, latency: Callable[[], float]) -> None:
        super().__init__()
        self.rate = rate
        self.latency = latency
        self.window: deque[float] = deque()
        self.arrivals: list[tuple[float, int, str]] = []  # (time, chat, text) of accepted sends
        self.rejected = 0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        if name in _PACED:
            now = asyncio.get_running_loop().time()
            while self.window and self.window[0] <= now - 1.0:
                self.window.popleft()
            if len(self.window) >= self.rate:
                self.rejected += 1
                return 429, (
                    b'{"ok": false, "error_code": 429, "description": "Too Many Requests:'
                    b' retry after 1", "parameters": {"retry_after": 1}}'
                )
            self.window.append(now)
            params = dict(request_data.parameters) if request_data else {}
            self.arrivals.append((now, int(params.get("chat_id") or 0), str(params.get("text"))))
            await asyncio.sleep(self.latency())
        return await super().do_request(
            url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
        )

    def rate_of(self, text: str) -> float:
        """Sends of `text` per second, first arrival to last."""
        times = [at for at, _, sent in self.arrivals if sent == text]
        return (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0


async def add_members(bot: BotHarness, count: int, first_telegram_id: int = 10_000) -> None:
    """`count` members with Telegram accounts, in one transaction."""
    now = to_db(bot.clock.now())
    async with bot.app.bot_data.db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO persons (name, unit, role, telegram_id, language, created_at,"
            " updated_at) VALUES (?, '', 'member', ?, 'en', ?, ?)",
            [(f"M{n}", first_telegram_id + n, now, now) for n in range(count)],
        )


@asynccontextmanager
async def running_bot(settings: Settings, api: RecordingBotApi) -> AsyncIterator[BotHarness]:
    """The real Application on `api`, started and shut down as in production; errors fail."""
    clock = FixedClock(START)
    app = build_application(settings, request=api, clock=clock)
    harness = BotHarness(app=app, api=api, clock=clock)

    async def collect(update: object, context: AppContext) -> None:
        if context.error is not None:
            harness.errors.append(context.error)

    app.add_error_handler(collect)
    async with app:
        await on_startup(app)
        try:
            yield harness
        finally:
            await on_shutdown(app)
    if harness.errors and not harness.errors_expected:
        raise AssertionError(f"handler errors: {harness.errors!r}") from harness.errors[0]
