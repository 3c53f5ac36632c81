"""Guided forms (conversations): a command typed in the middle leaves the form and runs."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ConversationHandler, MessageHandler, filters

from bot.context import AppContext, BotApplication
from handlers.common import identify, reply

__all__ = ["cannot_skip", "leave_form", "register_fallbacks"]


def leave_form(name: str) -> list[BaseHandler[Update, AppContext, object]]:
    """The fallback of the form `name`: any other command ends the form, then runs as usual."""

    async def leave_and_run(update: Update, context: AppContext) -> int:
        caller = await identify(update, context)
        if caller is not None:
            await reply(update, caller.t("core.form_left"))
        application: BotApplication = context.application  # type: ignore[assignment]
        for handler in application.handlers.get(0, []):
            if isinstance(handler, ConversationHandler) and handler.name == name:
                continue
            check = handler.check_update(update)
            if check is not None and check is not False:
                await handler.handle_update(update, application, check, context)
                break
        return ConversationHandler.END

    return [MessageHandler(filters.COMMAND, leave_and_run)]


async def cannot_skip(update: Update, context: AppContext) -> None:
    """`/skip` at a step a form cannot do without: say so and stay at the step."""
    caller = await identify(update, context)
    if caller is not None:
        await reply(update, caller.t("core.skip_needed"))


async def nothing_to_cancel(update: Update, context: AppContext) -> None:
    """`/cancel` with no form open: nothing to leave."""
    caller = await identify(update, context)
    if caller is not None:
        await reply(update, caller.t("core.nothing_to_cancel"))


async def nothing_to_skip(update: Update, context: AppContext) -> None:
    """`/skip` with no form open."""
    caller = await identify(update, context)
    if caller is not None:
        await reply(update, caller.t("core.nothing_to_skip"))


def register_fallbacks(app: BotApplication) -> None:
    """`/cancel` and `/skip` outside any form, before the unknown-command answer."""
    app.add_handler(CommandHandler("cancel", nothing_to_cancel))
    app.add_handler(CommandHandler("skip", nothing_to_skip))
