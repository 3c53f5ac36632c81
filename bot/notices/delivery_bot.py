"""The Bot that delivers notices: its own connections and pacing, apart from the replies."""

from __future__ import annotations

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.delivery_engine import max_in_flight
from bot.notices.bulkapi import BulkBotApi

__all__ = ["delivery_bot"]


def delivery_bot(settings: Settings, bot: Bot) -> tuple[Bot, BulkBotApi | None]:
    """A Bot of its own for deliveries (its own connections, its own pacing, no shared pause).

    Over real HTTP, bulk sends go through the lean `BulkBotApi`; the Bot serves the author's
    progress messages. In process (tests, console) both use the in-process fake.
    """
    request = bot.request
    bulk = None
    if isinstance(request, HTTPXRequest):
        request = HTTPXRequest(connection_pool_size=4, read_timeout=20.0, connect_timeout=10.0)
        bulk = BulkBotApi(
            settings.api_base_url, bot.token, pool=max_in_flight(settings.broadcast_rate) + 2
        )
    return (
        Bot(
            bot.token,
            base_url=settings.api_base_url,
            base_file_url=settings.api_file_url,
            request=request,
        ),
        bulk,
    )
