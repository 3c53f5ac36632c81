"""A secretariat member sends an Articles file to the bot: preview, then Confirm to import."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot.context import AppContext, BotApplication, user_state
from bot.i18n import Html
from bot.knowledge.parser import (
    Language,
    ParsedArticles,
    ParseError,
    gaps_text,
    parse_articles,
)
from handlers.common import Caller, edit_tapped, reply, require_role
from storage.people import Role

__all__ = ["ARTICLES_FILES", "CALLBACK", "MAX_BYTES", "register"]

CALLBACK = "kbi"
MAX_BYTES = 1_000_000
# Markdown or plain text; other files (a roster CSV, say) are left to other features.
ARTICLES_FILES = (
    filters.Document.FileExtension("md")
    | filters.Document.FileExtension("markdown")
    | filters.Document.FileExtension("txt")
)


def _language_hint(caption: str | None) -> Language | None:
    """A caption of `zh` or `en` names the file's language."""
    word = (caption or "").strip().lower()
    if word in ("zh", "en"):
        return word  # type: ignore[return-value]
    return None


def _reason(caller: Caller, error: Exception) -> str:
    """Why the file could not be read, in the reader's language."""
    if isinstance(error, UnicodeDecodeError):
        return caller.t("knowledge.import_not_utf8")
    if isinstance(error, ParseError):
        return error.text(caller.language)
    return caller.t("knowledge.import_download_failed")


async def receive_file(update: Update, context: AppContext) -> None:
    """Read the file, show what it holds, and offer Confirm / Cancel."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    message = update.effective_message
    if caller is None or message is None or message.document is None:
        return
    document = message.document
    if document.file_size is not None and document.file_size > MAX_BYTES:
        await reply(
            update,
            caller.t("knowledge.import_unreadable", error=caller.t("knowledge.import_too_large")),
        )
        return
    try:
        file = await context.bot.get_file(document.file_id)
        data = bytes(await file.download_as_bytearray())
        if len(data) > MAX_BYTES:
            await reply(
                update,
                caller.t(
                    "knowledge.import_unreadable", error=caller.t("knowledge.import_too_large")
                ),
            )
            return
        parsed = parse_articles(data.decode("utf-8-sig"), _language_hint(message.caption))
    except (TelegramError, UnicodeDecodeError, ParseError) as error:
        await reply(update, caller.t("knowledge.import_unreadable", error=_reason(caller, error)))
        return
    user_state(context).articles_upload = (parsed, document.file_name or "upload")
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    caller.t("knowledge.import_confirm"), callback_data=f"{CALLBACK}:ok"
                ),
                InlineKeyboardButton(
                    caller.t("knowledge.import_cancel"), callback_data=f"{CALLBACK}:no"
                ),
            ]
        ]
    )
    await reply(update, _preview(caller, parsed, document.file_name or ""), markup)


def _preview(caller: Caller, parsed: ParsedArticles, file_name: str) -> str:
    """What the file holds: language, chapters, article count, numbering gaps, warnings."""
    separator = caller.t("articles_import.gap_separator")
    warnings = "".join(
        "\n" + caller.t("articles_import.warning", warning=Html(warning.text(caller.language)))
        for warning in parsed.warnings
    )
    return caller.t(
        "knowledge.import_preview",
        file=file_name,
        language=caller.t(f"knowledge.language_{parsed.language}"),
        chapters=len(parsed.chapters),
        articles=len(parsed.articles),
        gaps=gaps_text(parsed.gaps, separator) or caller.t("knowledge.import_no_gaps"),
        warnings=Html(warnings),
    )


async def decide(update: Update, context: AppContext) -> None:
    """Confirm imports the previewed file; Cancel drops it."""
    query = update.callback_query
    if query is None:
        return
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None:
        return
    state = user_state(context)
    pending, state.articles_upload = state.articles_upload, None
    if query.data not in (f"{CALLBACK}:ok", f"{CALLBACK}:no") or pending is None:
        await query.answer(caller.t("knowledge.import_expired"), show_alert=True)
        return
    await query.answer()
    if query.data == f"{CALLBACK}:no":
        await edit_tapped(update, caller.t("knowledge.import_cancelled"))
        return
    parsed, file_name = pending
    shown = [-1]

    async def progress(done: int, total: int) -> None:
        """Edit the message at each quarter of the embedding work."""
        quarter = 4 * done // total if total else 4
        if total and quarter > shown[0] and done < total:
            shown[0] = quarter
            await edit_tapped(update, caller.t("knowledge.import_progress", done=done, total=total))

    base = context.bot_data.knowledge
    version = await base.import_articles(
        parsed,
        source=file_name,
        imported_by=caller.person.id,
        now=context.bot_data.clock.now(),
        progress=progress,
    )
    text = caller.t(
        "knowledge.import_done",
        articles=len(parsed.articles),
        chapters=len(parsed.chapters),
        language=caller.t(f"knowledge.language_{parsed.language}"),
        version=version,
    )
    step = await base.out_of_step(parsed.language)
    if step is not None:
        text += "\n\n" + step.describe(caller.language)
    await edit_tapped(update, text)


def register(app: BotApplication) -> None:
    """Wire file uploads in private chats and the Confirm / Cancel buttons."""
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & ARTICLES_FILES, receive_file))
    app.add_handler(CallbackQueryHandler(decide, pattern=rf"^{CALLBACK}:"))
