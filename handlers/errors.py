"""The error handler: log, tell the user plainly, alert the secretariat at most once a minute."""

from __future__ import annotations

import html
import logging
import traceback
from datetime import timedelta

from telegram import Update
from telegram.error import TelegramError

from bot.context import AppContext, BotApplication, BotData
from bot.i18n import language_from_hint, t
from handlers.common import reply
from storage.faults import DatabaseFault, fault_of
from storage.people import Language

__all__ = ["ALERT_INTERVAL", "register"]

logger = logging.getLogger(__name__)

ALERT_INTERVAL = timedelta(minutes=1)

_NOT_SAVED = {DatabaseFault.BUSY: "core.not_saved_busy", DatabaseFault.FULL: "core.not_saved_full"}


async def _language(update: Update, data: BotData) -> Language:
    """The language to answer in: the person's own, else their app's; never fails."""
    user = update.effective_user
    language = language_from_hint(user.language_code if user else None)
    if user is None or not data.db.is_open:
        return language
    try:
        chosen = await data.accounts.language_of(user.id)
    except Exception:  # the database itself may be what failed
        return language
    return chosen or language


async def _tell_user(update: Update, data: BotData, fault: DatabaseFault | None) -> None:
    """Say that something went wrong (and, for a database fault, that nothing was saved)."""
    language = await _language(update, data)
    key = "core.error" if fault is None else _NOT_SAVED.get(fault, "core.not_saved_broken")
    text = t(language, key)
    query = update.callback_query
    if query is not None:
        try:
            await query.answer(text, show_alert=True)
            return
        except TelegramError:
            pass  # answered already, or too old: say it in the chat instead
    try:
        await reply(update, text)
    except TelegramError:
        logger.warning("could not tell the user about the error")


def _alert_text(language: Language, data: BotData, error: BaseException | None) -> str:
    fault = fault_of(error) if error is not None else None
    if fault is None:
        summary = "".join(traceback.format_exception_only(type(error), error)).strip()
        return t(language, "core.error_alert", summary=html.escape(summary[:500]))
    path = html.escape(str(data.settings.db_path))
    if fault is DatabaseFault.BUSY:
        seconds = f"{data.db.waits.budget:g}"
        return t(language, "core.database_alert_busy", path=path, seconds=seconds)
    if fault is DatabaseFault.FULL:
        return t(language, "core.database_alert_full", path=path)
    return t(language, "core.database_alert_broken", path=path, fault=fault.value)


async def on_error(update: object, context: AppContext) -> None:
    """Log the error, tell the user what happened, alert the secretariat."""
    error = context.error
    fault = fault_of(error) if error is not None else None
    if fault is not None:
        logger.warning("not saved, the database is %s: %s", fault.value, error)
    else:
        logger.error("error while handling an update", exc_info=error)
    data = context.bot_data
    if isinstance(update, Update):
        await _tell_user(update, data, fault)
    now = data.clock.now()
    if not data.db.is_open or (
        data.last_error_alert is not None and now - data.last_error_alert < ALERT_INTERVAL
    ):
        return
    data.last_error_alert = now
    try:
        chats = await data.accounts.secretariat_chats()
    except Exception:
        logger.warning("could not read whom to alert about the error")
        return
    for chat_id, language in chats:
        try:
            await data.messenger.send(chat_id, _alert_text(language, data, error))
        except TelegramError:
            logger.warning("could not alert secretariat chat %s", chat_id)


def register(app: BotApplication) -> None:
    """Wire the error handler in."""
    app.add_error_handler(on_error)
