"""Guests apply with /join; the secretariat approves or declines with one tap, first tap wins."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import AppContext, BotApplication, user_state
from bot.i18n import t
from bot.roster.service import JoinRefusal
from handlers.common import identify, reply, require_role
from handlers.forms import cannot_skip, leave_form
from storage.applications import Application
from storage.people import Language, Role

__all__ = ["application_card", "decision_buttons", "register", "send_card"]

logger = logging.getLogger(__name__)

JOIN_NAME, JOIN_UNIT = range(2)
MAX_NAME = 100
MAX_UNIT = 200
_DECISION = re.compile(r"^ap:(\d{1,9}):([mcd])$")
_OUTCOMES = {"m": Role.MEMBER.value, "c": Role.COUNCIL.value, "d": "declined"}


def application_card(language: Language, application: Application) -> str:
    """The request as a secretariat member sees it."""
    return t(
        language,
        "roster.application_card",
        id=application.id,
        name=application.name,
        unit=application.unit or "—",
    )


def decision_buttons(language: Language, application_id: int) -> InlineKeyboardMarkup:
    """Approve as member / Approve as council / Decline."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, "roster.approve_member"), callback_data=f"ap:{application_id}:m"
                ),
                InlineKeyboardButton(
                    t(language, "roster.approve_council"), callback_data=f"ap:{application_id}:c"
                ),
            ],
            [
                InlineKeyboardButton(
                    t(language, "roster.decline"), callback_data=f"ap:{application_id}:d"
                )
            ],
        ]
    )


async def send_card(
    context: AppContext, chat_id: int, language: Language, application: Application
) -> bool:
    """Send the request with its buttons to one secretariat chat and remember the message."""
    data = context.bot_data
    try:
        message = await data.messenger.send(
            chat_id,
            application_card(language, application),
            decision_buttons(language, application.id),
        )
    except TelegramError as error:
        logger.warning("could not send application #%s to %s: %s", application.id, chat_id, error)
        return False
    if message is None:
        return False
    await data.roster_service.card_sent(application, chat_id, message.message_id)
    return True


async def join_command(update: Update, context: AppContext) -> int:
    """Start an application: a guest is asked for their name."""
    caller = await identify(update, context)
    chat = update.effective_chat
    if caller is None or chat is None:
        return ConversationHandler.END
    if chat.type != ChatType.PRIVATE:
        await reply(update, caller.t("roster.private_only"))
        return ConversationHandler.END
    refusal = await context.bot_data.roster_service.join_refusal(caller.person)
    if refusal is JoinRefusal.ON_ROSTER:
        role = caller.t(f"core.role_{caller.person.role.value}")
        await reply(update, caller.t("roster.join_already_member", role=role))
        return ConversationHandler.END
    if refusal is JoinRefusal.PENDING:
        await reply(update, caller.t("roster.join_pending"))
        return ConversationHandler.END
    await reply(update, caller.t("roster.join_ask_name"))
    return JOIN_NAME


async def join_name(update: Update, context: AppContext) -> int:
    """Store the applicant's name and ask for the unit."""
    caller = await identify(update, context)
    message = update.effective_message
    if caller is None or message is None:
        return ConversationHandler.END
    name = " ".join((message.text or "").split())
    if not name or len(name) > MAX_NAME:
        await reply(update, caller.t("roster.join_bad_name", limit=MAX_NAME))
        return JOIN_NAME
    user_state(context).join_name = name
    await reply(update, caller.t("roster.join_ask_unit"))
    return JOIN_UNIT


async def join_unit(update: Update, context: AppContext) -> int:
    """Store the application and send it to every secretariat member."""
    caller = await identify(update, context)
    message = update.effective_message
    if caller is None or message is None:
        return ConversationHandler.END
    unit = " ".join((message.text or "").split())
    unit = "" if unit in ("-", "—", "无") else unit
    if len(unit) > MAX_UNIT:
        await reply(update, caller.t("roster.join_bad_unit", limit=MAX_UNIT))
        return JOIN_UNIT
    state = user_state(context)
    name, state.join_name = state.join_name, None
    if name is None:
        await reply(update, caller.t("roster.cancelled"))
        return ConversationHandler.END
    roster = context.bot_data.roster_service
    application = await roster.apply(caller.person, name, unit, caller.language)
    if application is JoinRefusal.ON_ROSTER:  # joined by a link meanwhile
        await reply(update, caller.t("roster.cancelled"))
        return ConversationHandler.END
    if application is JoinRefusal.PENDING:
        await reply(update, caller.t("roster.join_pending"))
        return ConversationHandler.END
    for chat_id, language in await context.bot_data.accounts.secretariat_chats():
        await send_card(context, chat_id, language, application)
    await reply(update, caller.t("roster.join_sent", name=name))
    return ConversationHandler.END


async def join_cancel(update: Update, context: AppContext) -> int:
    """Leave the application form; nothing is sent."""
    caller = await identify(update, context)
    user_state(context).join_name = None
    if caller is not None:
        await reply(update, caller.t("roster.cancelled"))
    return ConversationHandler.END


async def decision(update: Update, context: AppContext) -> None:
    """Approve as member or council, or decline: checked against the database, first tap wins."""
    query = update.callback_query
    caller = await require_role(update, context, Role.SECRETARIAT)
    if query is None or caller is None:
        return
    match = _DECISION.match(query.data or "")
    roster = context.bot_data.roster_service
    application = await roster.application(int(match.group(1))) if match else None
    if match is None or application is None:
        await query.answer(caller.t("core.button_invalid"), show_alert=True)
        return
    won, application = await roster.decide(application, _OUTCOMES[match.group(2)], caller.person)
    if not won:
        await query.answer(caller.t("roster.already_decided"), show_alert=True)
    else:
        await query.answer()
    await update_cards(context, application)


async def update_cards(context: AppContext, application: Application) -> None:
    """Show the decision on every secretariat member's copy of the request, without buttons."""
    data = context.bot_data
    roster = data.roster_service
    decider = await roster.person(application.decided_by) if application.decided_by else None
    for chat_id, message_id, language in await roster.card_copies(application):
        outcome = t(
            language,
            f"roster.outcome_{application.status}",
            by=decider.name if decider and decider.name else "—",
        )
        try:
            await data.messenger.edit_text(
                chat_id, message_id, application_card(language, application) + "\n\n" + outcome
            )
        except TelegramError as error:
            logger.info("could not update application card in %s: %s", chat_id, error)


def register(app: BotApplication) -> None:
    """Wire /join and the decision buttons in."""
    text = filters.TEXT & ~filters.COMMAND
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("join", join_command)],
            states={
                JOIN_NAME: [MessageHandler(text, join_name), CommandHandler("skip", cannot_skip)],
                JOIN_UNIT: [MessageHandler(text, join_unit), CommandHandler("skip", cannot_skip)],
            },
            fallbacks=[CommandHandler("cancel", join_cancel), *leave_form("join")],
            name="join",
        )
    )
    app.add_handler(CallbackQueryHandler(decision, pattern=r"^ap:"))
