"""Questions the documents do not cover: offered to the secretariat, answered through the bot."""

from __future__ import annotations

import warnings
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import AppContext, BotApplication, user_state
from bot.knowledge.relay import RELAY_CALLBACK, Asker, ReplyOutcome
from handlers.common import Caller, drop_buttons, identify, reply, require_role
from handlers.forms import leave_form
from storage.database import Database, Transaction
from storage.knowledge_questions import erase_questions_of, export_questions_of
from storage.people import Person, Role

__all__ = ["CALLBACK", "REPLYING", "offer_markup", "register"]

CALLBACK = RELAY_CALLBACK
REPLYING = 1


async def offer_markup(
    update: Update, context: AppContext, caller: Caller, question: str
) -> InlineKeyboardMarkup | None:
    """Record an uncovered question and return the button that passes it to the secretariat."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or chat.type != "private" or not question:
        return None
    question_id = await context.bot_data.questions.offer(Asker(user.id, caller.language), question)
    button = InlineKeyboardButton(
        caller.t("knowledge.offer_button"), callback_data=f"{CALLBACK}:send:{question_id}"
    )
    return InlineKeyboardMarkup([[button]])


def _question_id(data: str | None, action: str) -> int | None:
    """The question id in `kbq:<action>:<id>`, or None when the data is malformed."""
    parts = (data or "").split(":")
    if len(parts) != 3 or parts[1] != action or not parts[2].isdigit() or len(parts[2]) > 12:
        return None
    return int(parts[2])


async def send_to_secretariat(update: Update, context: AppContext) -> None:
    """The member tapped "ask the secretariat": pass the question on, once."""
    query = update.callback_query
    caller = await identify(update, context)
    if query is None or caller is None:
        return
    question_id = _question_id(query.data, "send")
    relay = context.bot_data.questions
    if question_id is None or not await relay.pass_on(question_id, caller.person, query.answer):
        await query.answer(caller.t("knowledge.relay_stale"), show_alert=True)
        return
    if query.message is not None:
        await drop_buttons(update)
    await reply(update, caller.t("knowledge.relay_sent"))


async def start_reply(update: Update, context: AppContext) -> int:
    """A secretariat member tapped Reply: ask for the answer text."""
    query = update.callback_query
    if query is None:
        return ConversationHandler.END
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None:
        return ConversationHandler.END
    question_id = _question_id(query.data, "reply")
    question = None
    if question_id is not None:
        question = await context.bot_data.questions.waiting_for_answer(question_id)
    if question is None:
        await query.answer(caller.t("knowledge.relay_already"), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    user_state(context).relay_question_id = question.id
    await reply(update, caller.t("knowledge.relay_prompt", question=question.question))
    return REPLYING


async def deliver_reply(update: Update, context: AppContext) -> int:
    """The next text of the secretariat member is the answer: deliver it to the member."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    message = update.effective_message
    if caller is None or message is None:
        return ConversationHandler.END
    state = user_state(context)
    question_id, state.relay_question_id = state.relay_question_id, None
    outcome = ReplyOutcome.ALREADY_ANSWERED
    if question_id is not None:
        outcome = await context.bot_data.questions.reply(
            question_id, message.text or "", caller.person.id
        )
    await reply(update, caller.t(outcome.value))
    return ConversationHandler.END


async def not_text(update: Update, context: AppContext) -> int:
    """Anything but text while answering: ask for text."""
    caller = await identify(update, context)
    if caller is not None:
        await reply(update, caller.t("knowledge.relay_text_only"))
    return REPLYING


async def cancel(update: Update, context: AppContext) -> int:
    """/cancel while answering: nothing is sent."""
    caller = await identify(update, context)
    user_state(context).relay_question_id = None
    if caller is not None:
        await reply(update, caller.t("knowledge.relay_cancelled"))
    return ConversationHandler.END


async def export_questions(db: Database, person: Person) -> dict[str, Any]:
    """The /mydata section of questions passed to the secretariat."""
    if person.telegram_id is None:
        return {}
    return {"questions_to_secretariat": await export_questions_of(db, person.telegram_id)}


async def erase_questions(tx: Transaction, person: Person, now: datetime) -> None:
    """/forgetme: delete the questions the person passed to the secretariat."""
    if person.telegram_id is not None:
        await erase_questions_of(tx, person.telegram_id)


def register(app: BotApplication) -> None:
    """Wire the offer button and the secretariat's guided reply."""
    app.bot_data.personal_data.exporters.append(export_questions)
    app.bot_data.personal_data.erasers.append(erase_questions)
    app.add_handler(CallbackQueryHandler(send_to_secretariat, pattern=rf"^{CALLBACK}:send:"))
    with warnings.catch_warnings():
        # One conversation per chat is what is wanted here; PTB warns about per-message tracking.
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[CallbackQueryHandler(start_reply, pattern=rf"^{CALLBACK}:reply:")],
            states={
                REPLYING: [
                    MessageHandler(filters.TEXT & ~filters.COMMAND, deliver_reply),
                    MessageHandler(~filters.COMMAND, not_text),
                ]
            },
            fallbacks=[CommandHandler("cancel", cancel), *leave_form("relay-reply")],
            allow_reentry=True,
            name="relay-reply",
        )
    app.add_handler(conversation)
