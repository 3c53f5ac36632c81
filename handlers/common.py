"""What every handler needs: who is asking, in which language, with which rights."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, Update

from bot.context import AppContext
from bot.i18n import example_dates, language_from_hint, t
from bot.messaging import edited, retrying
from storage.people import Language, Person, Role

__all__ = [
    "Caller",
    "drop_buttons",
    "edit_tapped",
    "identify",
    "reply",
    "reply_document",
    "reply_photo",
    "require_role",
    "send_usage",
]


@dataclass(frozen=True)
class Caller:
    """The person behind an update and the language to answer in."""

    person: Person
    language: Language
    # Dates about a week ahead for usage examples (`{example_day}` ...): never already past.
    examples: dict[str, str] = field(default_factory=dict)

    def t(self, key: str, **values: object) -> str:
        """A message from the catalog in the caller's language."""
        return t(self.language, key, **{**self.examples, **values})


async def identify(update: Update, context: AppContext) -> Caller | None:
    """Load (or create as a guest) the person who sent `update`, fresh from the database."""
    user = update.effective_user
    if user is None or user.is_bot:
        return None
    data = context.bot_data
    person = await data.accounts.caller(user.id, user.full_name)
    language = person.language or language_from_hint(user.language_code)
    return Caller(person, language, example_dates(data.clock.now(), data.settings.timezone))


async def reply(
    update: Update, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Answer in the chat the update came from (callback queries included)."""
    chat = update.effective_chat
    if chat is None:
        return
    await retrying(lambda: chat.send_message(text, reply_markup=reply_markup))


async def reply_document(update: Update, document: InputFile | bytes, **options: Any) -> None:
    """Send a file into the chat the update came from (`filename`, `caption` as options)."""
    chat = update.effective_chat
    if chat is not None:
        await retrying(lambda: chat.send_document(document, **options))


async def reply_photo(update: Update, photo: InputFile | bytes, **options: Any) -> None:
    """Send a picture into the chat the update came from (`caption` as an option)."""
    chat = update.effective_chat
    if chat is not None:
        await retrying(lambda: chat.send_photo(photo, **options))


async def edit_tapped(
    update: Update, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Edit the message whose button was tapped (showing it unchanged counts as done)."""
    query = update.callback_query
    if query is not None:
        await edited(lambda: query.edit_message_text(text, reply_markup=reply_markup))


async def drop_buttons(update: Update, replacement: InlineKeyboardMarkup | None = None) -> None:
    """Take the buttons away from the message whose button was tapped (or show others)."""
    query = update.callback_query
    if query is not None:
        await edited(lambda: query.edit_message_reply_markup(replacement))


async def require_role(update: Update, context: AppContext, role: Role) -> Caller | None:
    """Return the caller when their role (read now from the database) is at least `role`."""
    caller = await identify(update, context)
    if caller is None:
        return None
    if caller.person.role.at_least(role):
        return caller
    refusal = caller.t("core.not_allowed", role=caller.t(f"core.role_{role.value}"))
    if update.callback_query is not None:
        await update.callback_query.answer(refusal, show_alert=True)
    else:
        await reply(update, refusal)
    return None


async def send_usage(update: Update, caller: Caller, key: str) -> None:
    """Answer a malformed command with its usage and an example (`<key>_usage`, `<key>_example`).

    For example `send_usage(update, caller, "meetings.newmeeting")` shows the catalog entries
    `meetings.newmeeting_usage` and `meetings.newmeeting_example`.
    """
    await reply(
        update,
        caller.t(
            "core.usage",
            usage=caller.t(f"{key}_usage"),
            example=caller.t(f"{key}_example"),
        ),
    )
