"""/questions: the secretariat sees the questions passed to it, answers or marks them answered."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.context import AppContext, BotApplication
from bot.numbers import typed_number
from bot.passed_questions import QuestionsScreen
from handlers.common import edit_tapped, reply, require_role, send_usage
from storage.people import Role

__all__ = ["register"]

_DONE = "kbq:done:"


def _markup(screen: QuestionsScreen) -> InlineKeyboardMarkup | None:
    if not screen.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in screen.buttons
        ]
    )


async def questions_command(update: Update, context: AppContext) -> None:
    """List the questions passed to the secretariat, or show one (`/questions ID`)."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None:
        return
    args = context.args or []
    question_id = typed_number(args[0]) if len(args) == 1 else None
    if args and question_id is None:
        await send_usage(update, caller, "questions.questions")
        return
    screen = await context.bot_data.questions.screen(caller.language, question_id)
    await reply(update, screen.text, _markup(screen))


async def mark_answered(update: Update, context: AppContext) -> None:
    """Mark answered: the question was answered another way; nothing is sent to the member."""
    query = update.callback_query
    if query is None:
        return
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None:
        return
    target, _, alone = (query.data or "").removeprefix(_DONE).partition(":")
    question_id = typed_number(target)
    if question_id is None:
        await query.answer(caller.t("core.button_invalid"), show_alert=True)
        return
    relay = context.bot_data.questions
    if not await relay.mark_answered(question_id, caller.person.id):
        await query.answer(caller.t("questions.already", id=question_id), show_alert=True)
        return
    await query.answer(caller.t("questions.marked", id=question_id))
    screen = await relay.screen(caller.language, question_id if alone == "one" else None)
    await edit_tapped(update, screen.text, _markup(screen))


def register(app: BotApplication) -> None:
    """Wire /questions and its Mark answered button (Answer is the relay's own reply form)."""
    app.add_handler(CommandHandler("questions", questions_command))
    app.add_handler(CallbackQueryHandler(mark_answered, pattern=rf"^{_DONE}"))
