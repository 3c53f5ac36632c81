"""The secretariat's dashboard: a Telegram Mini App served by the bot itself."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from bot.dashboard.launch import launch_key
from bot.dashboard.server import DashboardServer, DashboardStartError

if TYPE_CHECKING:
    from bot.app import BotApplication

__all__ = ["DashboardServer", "DashboardStartError", "install"]


def install(app: BotApplication) -> None:
    """Serve the dashboard from start-up to shut-down when ASSOC_WEBAPP_URL is set."""

    async def start(application: BotApplication) -> None:
        data = application.bot_data
        settings = data.settings
        if not settings.webapp_url:
            return
        # The console has no real token: its local links are signed with a key of this run.
        key = launch_key(settings.token) if settings.token else secrets.token_bytes(32)
        server = DashboardServer(settings, lambda: data.db, data.clock, key)
        await server.start()
        data.dashboard = server

    async def stop(application: BotApplication) -> None:
        server = application.bot_data.dashboard
        if server is not None:
            await server.stop()
            application.bot_data.dashboard = None

    app.bot_data.startup_hooks.append(start)
    app.bot_data.shutdown_hooks.append(stop)
