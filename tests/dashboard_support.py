"""Helpers for the dashboard tests: the bot with its dashboard served, launches, requests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import aiohttp

from bot.clock import FixedClock
from bot.config import Settings
from bot.dashboard import DashboardServer
from bot.dashboard.launch import launch_key, sign_launch_data
from bot.dashboard.server import LAUNCH_HEADER
from storage.database import Database
from storage.notice_outbox import NoticeOutboxRepository, SendOutcome
from tests.harness import ADMIN_ID, BotHarness

__all__ = [
    "TOKEN",
    "Page",
    "dashboard_settings",
    "fetch",
    "launch",
    "record_send",
    "served_alone",
    "server_of",
]

TOKEN = "424242:DashboardTestTokenABCdef"
WEBAPP_URL = "https://bot.example.org/dash"
KEY = launch_key(TOKEN)


def dashboard_settings(tmp_path: Path) -> Settings:
    """Settings with a token and the dashboard on a free port of this machine."""
    return Settings(
        token=TOKEN,
        db_path=tmp_path / "association.sqlite3",
        admin_ids=frozenset({ADMIN_ID}),
        webapp_url=WEBAPP_URL,
        webapp_port=0,
    )


def launch(
    telegram_id: int,
    signed_at: datetime,
    language: str = "en",
    *,
    key: bytes = KEY,
    first_name: str = "Sec",
) -> str:
    """Launch data as Telegram signs it for a user."""
    user = {"id": telegram_id, "first_name": first_name, "language_code": language}
    return sign_launch_data(key, user, signed_at, query_id="AAHdF6IQAAAAAN0XohDhrOrc")


@asynccontextmanager
async def served_alone(
    settings: Settings, clock: FixedClock
) -> AsyncIterator[tuple[DashboardServer, Database]]:
    """The dashboard server alone on a fresh database (quicker than the whole bot)."""
    db = await Database.open(settings.db_path)
    server = DashboardServer(settings, db, clock, KEY)
    await server.start()
    try:
        yield server, db
    finally:
        await server.stop()
        await db.close()


async def record_send(bot: BotHarness, notice_id: int, telegram_id: int, state: str) -> None:
    """Record how the send of a notice to one person ended, as the delivery does."""
    person = await bot.people.get_by_telegram_id(telegram_id)
    assert person is not None
    outbox = NoticeOutboxRepository(bot.app.bot_data.db)
    now = bot.clock.now()
    assert await outbox.record_sends(notice_id, [person.id], [], [], now) == {person.id}
    await outbox.record_sends(notice_id, [], [SendOutcome(person.id, state)], [], now)


def server_of(bot: BotHarness) -> DashboardServer:
    """The running dashboard server."""
    server = bot.app.bot_data.dashboard
    assert server is not None, "the dashboard is not serving"
    return server


@dataclass(frozen=True)
class Page:
    """An answer of the dashboard server."""

    status: int
    text: str
    headers: dict[str, str]


async def fetch(
    bot: BotHarness | DashboardServer, path: str, launch_data: str | None = None
) -> Page:
    """GET `path` on the dashboard (with launch data in the header, as the page's script does)."""
    server = bot if isinstance(bot, DashboardServer) else server_of(bot)
    headers = {} if launch_data is None else {LAUNCH_HEADER: launch_data}
    url = f"http://127.0.0.1:{server.port}{path}"
    async with (
        aiohttp.ClientSession() as session,
        session.get(url, headers=headers, allow_redirects=False) as response,
    ):
        return Page(response.status, await response.text(), dict(response.headers))
