"""The error handler: log, apologise to the user, alert the secretariat at most once a minute."""

from __future__ import annotations

import logging
import traceback
from datetime import timedelta

from telegram import Update
from telegram.error import Forbidden, TelegramError

from bot.context import AppContext, BotApplication
from bot.i18n import language_from_hint, t

__all__ = ["ALERT_INTERVAL", "register"]

logger = logging.getLogger(__name__)

ALERT_INTERVAL = timedelta(minutes=1)


async def on_error(update: object, context: AppContext) -> None:
    """Log the traceback, tell the user something went wrong, alert the secretariat."""
    error = context.error
    logger.error("error while handling an update", exc_info=error)
    data = context.bot_data
    if isinstance(update, Update) and update.effective_chat is not None:
        user = update.effective_user
        language = language_from_hint(user.language_code if user else None)
        if user is not None and data.db.is_open:
            person = await data.people.get_by_telegram_id(user.id)
            if person is not None and person.language is not None:
                language = person.language
        try:
            await update.effective_chat.send_message(t(language, "core.error"))
        except TelegramError:
            logger.warning("could not tell the user about the error")
    now = data.clock.now()
    if not data.db.is_open or (
        data.last_error_alert is not None and now - data.last_error_alert < ALERT_INTERVAL
    ):
        return
    data.last_error_alert = now
    summary = "".join(traceback.format_exception_only(type(error), error)).strip() if error else ""
    for chat_id in await data.people.secretariat_chat_ids():
        person = await data.people.get_by_telegram_id(chat_id)
        language = person.spoken_language if person else "zh"
        try:
            await context.bot.send_message(
                chat_id, t(language, "core.error_alert", summary=summary[:500])
            )
        except Forbidden:
            continue
        except TelegramError:
            logger.warning("could not alert secretariat chat %s", chat_id)


def register(app: BotApplication) -> None:
    """Wire the error handler in."""
    app.add_error_handler(on_error)
