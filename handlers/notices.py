"""/notice (one-line and guided), approval, /notices, /cancelnotice and the delivery reports."""

from __future__ import annotations

import re
import warnings

from telegram import Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import AppContext, BotApplication
from bot.i18n import Html
from bot.notices.compose import (
    ComposeError,
    body_after_first_line,
    parse_options,
    split_versions,
)
from bot.notices.views import overview_lines, plain
from handlers.common import Caller, reply, require_role, send_usage
from handlers.forms import leave_form
from handlers.notices_actions import (
    ACTION_PATTERN,
    action,
    buttons,
    no_approver,
    notice_service,
)
from handlers.notices_corrections import (
    EDIT_TEXT,
    corrected_text,
    correction_command,
    is_correction,
)
from handlers.notices_form import (
    AUDIENCE,
    CATEGORY,
    CHANNEL,
    RECEIPTS,
    TEXT_EN,
    TEXT_ZH,
    WHEN,
    cancel,
    chosen,
    skip_en,
    skip_zh,
    start_guided,
    store_and_preview,
    text_en,
    text_zh,
    when,
)
from handlers.notices_receipts import RECEIPT_PATTERN, notice_detail, receipt_tap
from storage.notices import Notice
from storage.people import Role

__all__ = ["register"]


async def notice_command(update: Update, context: AppContext) -> int:
    """`/notice` with options or text: the one-line form; bare: start the guided form."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    message = update.effective_message
    if caller is None or message is None or await no_approver(update, context, caller):
        return ConversationHandler.END
    text = message.text or message.caption or ""
    if is_correction(text):
        return await correction_command(update, context, caller, message)
    media = bool(message.photo or message.document)  # a bare caption must not lose it
    if not media and re.fullmatch(r"\s*/notice(@\w+)?\s*", text):
        return await start_guided(update, context, caller)
    await one_line(update, context, caller, message)
    return ConversationHandler.END


async def one_line(update: Update, context: AppContext, caller: Caller, message: Message) -> None:
    """Parse `/notice [options]` and the text below it, then preview."""
    data = context.bot_data
    head, body = body_after_first_line(message)
    try:
        draft = parse_options(head, data.settings.timezone, data.clock.now())
        if draft.channel and not data.settings.notice_channel:
            raise ComposeError("notices.no_channel")
        if not body.html.strip():
            key = "notices.text_missing_caption" if body.media_kind else "notices.text_missing"
            raise ComposeError(key)
        for language, part in split_versions(body, draft.language).items():
            draft = draft.with_part(language, part)
    except ComposeError as error:
        await reply(update, caller.t(error.key, **error.values))
        await send_usage(update, caller, "notices.notice")
        return
    await store_and_preview(update, context, caller, draft)


async def list_notices(update: Update, context: AppContext) -> None:
    """/notices: scheduled and running ones first, then the recent ones, with status."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None:
        return
    args = context.args or []
    if args:
        if len(args) != 1 or not re.fullmatch(r"#?\d{1,12}", args[0]):
            await send_usage(update, caller, "notices.notices")
            return
        await notice_detail(update, context, caller, int(args[0].lstrip("#")))
        return
    service = notice_service(context)
    overview = await service.lookup.overview()
    if not overview.notices:
        await reply(update, caller.t("notices.none"))
        return
    lines = overview_lines(
        overview.notices, overview.progress, service.settings.timezone, caller.language
    )
    await reply(update, "\n".join([caller.t("notices.overview_title"), *lines]))


async def cancel_notice(update: Update, context: AppContext) -> None:
    """/cancelnotice ID: cancel a scheduled notice or stop its delivery."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None:
        return
    args = context.args or []
    if not args:
        await _offer_cancellations(update, context, caller)
        return
    if len(args) != 1 or not re.fullmatch(r"#?\d{1,12}", args[0]):
        await send_usage(update, caller, "notices.cancelnotice")
        return
    notice_id = int(args[0].lstrip("#"))
    if await notice_service(context).cancel(notice_id):
        await reply(update, caller.t("notices.cancelled", id=notice_id))
    else:
        await reply(update, caller.t("notices.cannot_cancel", id=notice_id))


async def _offer_cancellations(update: Update, context: AppContext, caller: Caller) -> None:
    """Bare /cancelnotice: one button per notice that can still be cancelled."""
    active = await notice_service(context).lookup.cancellable()
    if not active:
        await reply(update, caller.t("notices.nothing_to_cancel"))
        return
    # Button labels are plain text, not HTML: the snippet must not be escaped.
    rows = [
        [
            (
                caller.t("notices.cancel_button", id=notice.id, snippet=Html(_snippet(notice))),
                f"ntc:cx:{notice.id}",
            )
        ]
        for notice in active[:20]
    ]
    await reply(update, caller.t("notices.choose_cancel"), buttons(*rows))


def _snippet(notice: Notice) -> str:
    text = plain(notice.text_zh or notice.text_en or "").replace("\n", " ")
    return text[:30] + ("…" if len(text) > 30 else "")


async def client_language(update: Update, context: AppContext) -> None:
    """Note the language of the sender's Telegram app: a notice follows the bot's language."""
    user = update.effective_user
    if user is not None and not user.is_bot and context.bot_data.db.is_open:
        await context.bot_data.notices.note_client_language(user.id, user.language_code)


def register(app: BotApplication) -> None:
    """Wire the notices feature in."""
    text_input = (filters.TEXT | filters.PHOTO | filters.Document.ALL) & ~filters.COMMAND
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[
                CommandHandler("notice", notice_command),
                MessageHandler(filters.CaptionRegex(r"^/notice\b"), notice_command),
            ],
            states={
                AUDIENCE: [CallbackQueryHandler(chosen, pattern=r"^ntc:aud:")],
                CATEGORY: [CallbackQueryHandler(chosen, pattern=r"^ntc:cat:")],
                RECEIPTS: [CallbackQueryHandler(chosen, pattern=r"^ntc:rcp:")],
                CHANNEL: [CallbackQueryHandler(chosen, pattern=r"^ntc:chn:")],
                EDIT_TEXT: [MessageHandler(text_input, corrected_text)],
                TEXT_ZH: [MessageHandler(text_input, text_zh), CommandHandler("skip", skip_zh)],
                TEXT_EN: [MessageHandler(text_input, text_en), CommandHandler("skip", skip_en)],
                WHEN: [
                    MessageHandler(filters.TEXT & ~filters.COMMAND, when),
                    CallbackQueryHandler(when, pattern=r"^ntc:now$"),
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel), *leave_form("notice")],
            name="notice",
            allow_reentry=True,
        )
    app.add_handler(conversation)
    app.add_handler(CommandHandler("notices", list_notices))
    app.add_handler(CommandHandler("cancelnotice", cancel_notice))
    app.add_handler(CallbackQueryHandler(action, pattern=ACTION_PATTERN))
    app.add_handler(CallbackQueryHandler(receipt_tap, pattern=RECEIPT_PATTERN))
    # Before every other group, so that no ApplicationHandlerStop can skip it.
    app.add_handler(TypeHandler(Update, client_language), group=-3)
