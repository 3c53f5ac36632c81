"""The dashboard's menu button: secretariat chats open it, every other chat has the default."""

from __future__ import annotations

import logging

from telegram import Bot, MenuButtonDefault, MenuButtonWebApp, WebAppInfo
from telegram.error import NetworkError, TelegramError

from bot.clock import Clock
from bot.i18n import t
from storage.dashboard import DashboardRepository
from storage.database import Database
from storage.people import PeopleRepository

__all__ = ["sync_menu_buttons"]

logger = logging.getLogger(__name__)


async def sync_menu_buttons(
    bot: Bot, db: Database, clock: Clock, url: str | None, batch: int
) -> None:
    """Set up to `batch` chats' menu buttons that differ from what their role should show."""
    buttons = DashboardRepository(db)
    people = PeopleRepository(db)
    for telegram_id, opens in await buttons.menu_buttons_due(url, batch):
        person = await people.get_by_telegram_id(telegram_id)
        language = person.spoken_language if person else "zh"
        button = (
            MenuButtonWebApp(t(language, "dashboard.button"), WebAppInfo(url))
            if opens and url
            else MenuButtonDefault()
        )
        try:
            await bot.set_chat_menu_button(chat_id=telegram_id, menu_button=button)
        except NetworkError as error:
            logger.info("menu button of %s not set yet: %s", telegram_id, error)
            return  # Telegram is slow or away: try again at the next check
        except TelegramError as error:
            logger.info("menu button of %s could not be set: %s", telegram_id, error)
        await buttons.record_menu_button(telegram_id, url if opens else None, clock.now())
