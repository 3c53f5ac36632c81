"""The secretariat's dashboard: a Telegram Mini App served by the bot itself."""

from __future__ import annotations

import secrets
from collections.abc import Collection

from bot.clock import Clock
from bot.config import Settings
from bot.dashboard.launch import launch_key
from bot.dashboard.server import DashboardServer, DashboardStartError
from storage.database import Database

__all__ = ["DashboardServer", "DashboardStartError", "dashboard_server"]


def dashboard_server(
    settings: Settings, db: Database, clock: Clock, operators: Collection[int] = frozenset()
) -> DashboardServer | None:
    """The dashboard's server when ASSOC_WEBAPP_URL is set (started with the bot), else None.

    `operators` are accounts with the secretariat's rights off the roster (the console's).
    """
    if not settings.webapp_url:
        return None
    # The console has no real token: its local links are signed with a key of this run.
    key = launch_key(settings.token) if settings.token else secrets.token_bytes(32)
    return DashboardServer(settings, db, clock, key, operators)
