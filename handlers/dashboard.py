"""The dashboard's Telegram side: /dashboard and the secretariat's menu button."""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MenuButtonDefault,
    MenuButtonWebApp,
    Update,
    WebAppInfo,
)
from telegram.error import NetworkError, TelegramError
from telegram.ext import CommandHandler, filters

from bot.context import AppContext, BotApplication
from bot.i18n import t
from handlers.common import reply, require_role
from storage.dashboard import DashboardRepository
from storage.people import Role

__all__ = ["MENU_BUTTON_JOB", "register", "sync_menu_buttons"]

logger = logging.getLogger(__name__)

MENU_BUTTON_JOB = "dashboard-menu-buttons"
MENU_BUTTON_INTERVAL = 5  # seconds between checks: one indexed read when nothing changed
MENU_BUTTON_BATCH = 5


async def dashboard_command(update: Update, context: AppContext) -> None:
    """Open the dashboard: a Mini App button, or in the console a signed local link."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None:
        return
    data = context.bot_data
    url = data.settings.webapp_url
    server = data.dashboard
    if not url or server is None:
        await reply(update, caller.t("dashboard.command_off"))
        return
    if data.settings.console_mode:
        user = update.effective_user
        launch_user: dict[str, object] = {
            "id": caller.person.telegram_id or (user.id if user else 0),
            "first_name": user.first_name if user else caller.person.name,
            "language_code": caller.language,
        }
        await reply(update, caller.t("dashboard.console_link", url=server.local_link(launch_user)))
        return
    button = InlineKeyboardButton(caller.t("dashboard.button"), web_app=WebAppInfo(url))
    await reply(update, caller.t("dashboard.command_open"), InlineKeyboardMarkup([[button]]))


async def sync_menu_buttons(context: AppContext) -> None:
    """Give secretariat chats the dashboard's menu button; give the others back theirs."""
    data = context.bot_data
    url = data.settings.webapp_url
    repository = DashboardRepository(data.db)
    for telegram_id, opens in await repository.menu_buttons_due(url, MENU_BUTTON_BATCH):
        language = await data.accounts.spoken_language_of(telegram_id)
        button = (
            MenuButtonWebApp(t(language, "dashboard.button"), WebAppInfo(url))
            if opens and url
            else MenuButtonDefault()
        )
        try:
            await context.bot.set_chat_menu_button(chat_id=telegram_id, menu_button=button)
        except NetworkError as error:
            logger.info("menu button of %s not set yet: %s", telegram_id, error)
            return  # Telegram is slow or away: try again at the next check
        except TelegramError as error:
            logger.info("menu button of %s could not be set: %s", telegram_id, error)
        await repository.record_menu_button(telegram_id, url if opens else None, data.clock.now())


async def start_menu_buttons(app: BotApplication) -> None:
    """Check the menu buttons every few seconds (not in the console: it has no menu)."""
    settings = app.bot_data.settings
    if settings.console_mode or app.job_queue is None:
        return
    app.job_queue.run_repeating(
        sync_menu_buttons, MENU_BUTTON_INTERVAL, first=0, name=MENU_BUTTON_JOB
    )


def register(app: BotApplication) -> None:
    """Wire /dashboard and the menu buttons in."""
    app.add_handler(CommandHandler("dashboard", dashboard_command, filters.ChatType.PRIVATE))
    app.bot_data.startup_hooks.append(start_menu_buttons)
