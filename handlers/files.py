"""Files and attachments no feature takes: every one gets an answer."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop, MessageHandler, filters

from bot.context import AppContext, BotApplication
from bot.uploads import ATTACHMENT_KINDS, unread_file_answer
from handlers.common import Caller, identify, reply
from storage.people import Role

__all__ = ["register", "register_fallbacks"]

# An attachment in a private chat, except one whose caption is a command (/notice ...): the
# command's own handler answers that (and refuses it to those who may not use it).
_FILES = filters.ChatType.PRIVATE & filters.ATTACHMENT & ~filters.CaptionRegex(r"^\s*/")


def _kind_and_name(message: Message) -> tuple[str, str | None]:
    if message.document is not None:
        return "document", message.document.file_name
    for kind in ATTACHMENT_KINDS:
        if getattr(message, kind, None):
            return kind, None
    return "other", None


async def _answer(update: Update, caller: Caller) -> None:
    message = update.effective_message
    if message is None:
        return
    kind, name = _kind_and_name(message)
    await reply(update, unread_file_answer(caller.language, caller.person.role, kind, name))


async def file_from_member(update: Update, context: AppContext) -> None:
    """Before any feature: a file from anyone but the secretariat is answered here."""
    caller = await identify(update, context)
    if caller is None or caller.person.role.at_least(Role.SECRETARIAT):
        return
    await _answer(update, caller)
    raise ApplicationHandlerStop


async def file_not_taken(update: Update, context: AppContext) -> None:
    """After every feature: a secretariat member's file that nothing took."""
    caller = await identify(update, context)
    if caller is not None:
        await _answer(update, caller)


def register(app: BotApplication) -> None:
    """Answer the files of members and guests before any feature sees them."""
    app.add_handler(MessageHandler(_FILES, file_from_member), group=-1)


def register_fallbacks(app: BotApplication) -> None:
    """Answer the files no feature took, after every feature."""
    app.add_handler(MessageHandler(_FILES, file_not_taken))
