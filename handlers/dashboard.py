"""The dashboard's Telegram side: /dashboard and the secretariat's menu button."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
    WebAppInfo,
)
from telegram.ext import CommandHandler, filters

from bot.context import AppContext, BotApplication
from bot.dashboard.menu_buttons import sync_menu_buttons
from handlers.common import reply, require_role
from storage.people import Role

__all__ = ["MENU_BUTTON_JOB", "register"]


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


async def menu_buttons_job(context: AppContext) -> None:
    """Give secretariat chats the dashboard's menu button; give the others back theirs."""
    data = context.bot_data
    await sync_menu_buttons(
        context.bot, data.db, data.clock, data.settings.webapp_url, MENU_BUTTON_BATCH
    )


async def start_menu_buttons(app: BotApplication) -> None:
    """Check the menu buttons every few seconds (not in the console: it has no menu)."""
    settings = app.bot_data.settings
    if settings.console_mode or app.job_queue is None:
        return
    app.job_queue.run_repeating(
        menu_buttons_job, MENU_BUTTON_INTERVAL, first=0, name=MENU_BUTTON_JOB
    )


def register(app: BotApplication) -> None:
    """Wire /dashboard and the menu buttons in."""
    app.add_handler(CommandHandler("dashboard", dashboard_command, filters.ChatType.PRIVATE))
    app.bot_data.startup_hooks.append(start_menu_buttons)
