"""/notice (one-line and guided), approval, /notices, /cancelnotice and the delivery reports."""

from __future__ import annotations

import re
import warnings
from dataclasses import replace

from telegram import Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import AppContext, BotApplication, user_state
from bot.i18n import Html
from bot.notices.compose import (
    ComposeError,
    Draft,
    body_after_first_line,
    message_part,
    parse_options,
    parse_when,
    split_versions,
)
from bot.notices.views import overview_lines, plain, preview_parts
from handlers.common import Caller, identify, reply, require_role, send_usage
from handlers.notices_actions import (
    ACTION_PATTERN,
    action,
    buttons,
    no_approver,
    notice_service,
)
from storage.notices import Notice, NoticeRepository
from storage.people import Role

__all__ = ["AUDIENCE", "CATEGORY", "TEXT_EN", "TEXT_ZH", "WHEN", "register"]

AUDIENCE, CATEGORY, TEXT_ZH, TEXT_EN, WHEN = range(5)


async def _store_and_preview(
    update: Update, context: AppContext, caller: Caller, draft: Draft
) -> None:
    """Keep the draft in the database and show it with Confirm and Cancel."""
    data = context.bot_data
    chat = update.effective_chat
    notice = await NoticeRepository(data.db).create(
        author_person_id=caller.person.id,
        author_chat_id=chat.id if chat else 0,
        author_language=caller.language,
        audience=draft.audience,
        language=draft.language,
        category=draft.category,
        text_zh=draft.text_zh,
        text_en=draft.text_en,
        media_kind=draft.media_kind,
        media_file_id=draft.media_file_id,
        due_at=draft.due_at,
        recurrence=draft.recurrence,
        now=data.clock.now(),
    )
    parts = preview_parts(notice, data.settings.timezone, caller.language)
    for part in parts[:-1]:
        await reply(update, part)
    await reply(
        update,
        parts[-1],
        buttons(
            [
                (caller.t("notices.confirm"), f"ntc:ok:{notice.id}"),
                (caller.t("notices.cancel"), f"ntc:no:{notice.id}"),
            ]
        ),
    )


async def notice_command(update: Update, context: AppContext) -> int:
    """`/notice` with options or text: the one-line form; bare: start the guided form."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    message = update.effective_message
    if caller is None or message is None or await no_approver(update, context, caller):
        return ConversationHandler.END
    text = message.text or message.caption or ""
    media = bool(message.photo or message.document)  # a bare caption must not lose it
    if not media and re.fullmatch(r"\s*/notice(@\w+)?\s*", text):
        user_state(context).notice_draft = Draft()
        await reply(
            update,
            caller.t("notices.ask_audience"),
            buttons(
                [
                    (caller.t(f"notices.audience_{a}"), f"ntc:aud:{a}")
                    for a in ("all", "council", "secretariat")
                ]
            ),
        )
        return AUDIENCE
    await one_line(update, context, caller, message)
    return ConversationHandler.END


async def one_line(update: Update, context: AppContext, caller: Caller, message: Message) -> None:
    """Parse `/notice [options]` and the text below it, then preview."""
    data = context.bot_data
    head, body = body_after_first_line(message)
    try:
        draft = parse_options(head, data.settings.timezone, data.clock.now())
        if not body.html.strip():
            key = "notices.text_missing_caption" if body.media_kind else "notices.text_missing"
            raise ComposeError(key)
        for language, part in split_versions(body, draft.language).items():
            draft = draft.with_part(language, part)
    except ComposeError as error:
        await reply(update, caller.t(error.key, **error.values))
        await send_usage(update, caller, "notices.notice")
        return
    await _store_and_preview(update, context, caller, draft)


def _draft(context: AppContext) -> Draft:
    return user_state(context).notice_draft or Draft()


async def chosen(update: Update, context: AppContext) -> int:
    """Audience or category tapped in the guided form."""
    query = update.callback_query
    caller = await require_role(update, context, Role.SECRETARIAT)
    if query is None or caller is None:
        return ConversationHandler.END
    await query.answer()
    _, field, value = (query.data or "").split(":")
    draft = _draft(context)
    if field == "aud" and value in ("all", "council", "secretariat"):
        user_state(context).notice_draft = replace(draft, audience=value)
        await reply(
            update,
            caller.t("notices.ask_category"),
            buttons(
                [(caller.t(f"notices.category_{c}"), f"ntc:cat:{c}") for c in ("official", "news")]
            ),
        )
        return CATEGORY
    if field == "cat" and value in ("official", "news"):
        user_state(context).notice_draft = replace(draft, category=value)
        await reply(update, caller.t("notices.ask_text_zh"))
        return TEXT_ZH
    await query.answer(caller.t("core.button_invalid"), show_alert=True)
    return ConversationHandler.END


async def _version(update: Update, context: AppContext, language: str) -> int | None:
    caller = await identify(update, context)
    message = update.effective_message
    if caller is None or message is None:
        return ConversationHandler.END
    try:
        draft = _draft(context).with_part(language, message_part(message))
    except ComposeError as error:
        await reply(update, caller.t(error.key, **error.values))
        return None
    user_state(context).notice_draft = draft
    return TEXT_EN if language == "zh" else await _ask_when(update, caller)


async def _ask_when(update: Update, caller: Caller) -> int:
    await reply(
        update,
        caller.t("notices.ask_when"),
        buttons([(caller.t("notices.when_now_button"), "ntc:now")]),
    )
    return WHEN


async def text_zh(update: Update, context: AppContext) -> int:
    """The Chinese version (text, or a photo or document with a caption)."""
    state = await _version(update, context, "zh")
    if state == TEXT_EN:
        caller = await identify(update, context)
        if caller is not None:
            await reply(update, caller.t("notices.ask_text_en"))
    return TEXT_ZH if state is None else state


async def text_en(update: Update, context: AppContext) -> int:
    """The English version."""
    state = await _version(update, context, "en")
    return TEXT_EN if state is None else state


async def skip_zh(update: Update, context: AppContext) -> int:
    """/skip the Chinese version."""
    caller = await identify(update, context)
    if caller is not None:
        await reply(update, caller.t("notices.ask_text_en"))
    return TEXT_EN


async def skip_en(update: Update, context: AppContext) -> int:
    """/skip the English version (one of the two is needed)."""
    caller = await identify(update, context)
    if caller is None:
        return ConversationHandler.END
    draft = _draft(context)
    if draft.text_zh is None and draft.text_en is None:
        await reply(update, caller.t("notices.text_missing"))
        return TEXT_EN
    return await _ask_when(update, caller)


async def when(update: Update, context: AppContext) -> int:
    """The time: typed, or the Now button; then the preview."""
    caller = await identify(update, context)
    if caller is None:
        return ConversationHandler.END
    data = context.bot_data
    draft = _draft(context)
    if update.callback_query is not None:
        await update.callback_query.answer()
        due, recurrence = None, None
    else:
        try:
            due, recurrence = parse_when(
                update.effective_message.text or "",  # type: ignore[union-attr]
                data.settings.timezone,
                data.clock.now(),
            )
        except ComposeError as error:
            await reply(update, caller.t(error.key, **error.values))
            return WHEN
    _clear(context)
    await _store_and_preview(
        update, context, caller, replace(draft, due_at=due, recurrence=recurrence)
    )
    return ConversationHandler.END


def _clear(context: AppContext) -> None:
    user_state(context).notice_draft = None


async def cancel(update: Update, context: AppContext) -> int:
    """/cancel the guided form."""
    _clear(context)
    caller = await identify(update, context)
    if caller is not None:
        await reply(update, caller.t("notices.guided_cancelled"))
    return ConversationHandler.END


async def list_notices(update: Update, context: AppContext) -> None:
    """/notices: scheduled and running ones first, then the recent ones, with status."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None:
        return
    service = notice_service(context)
    notices = await service.repo.list_for_overview()
    if not notices:
        await reply(update, caller.t("notices.none"))
        return
    progress = {nid: (run.finished, run.total) for nid, run in service.runs.items()}
    for notice in notices:
        if notice.status in ("done", "cancelled") and notice.total and notice.id not in progress:
            counts = await service.repo.counts(notice.id)
            progress[notice.id] = (counts.get("sent", 0), notice.total)
    lines = overview_lines(notices, progress, service.settings.timezone, caller.language)
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
    active = [
        notice
        for notice in await notice_service(context).repo.list_for_overview(recent=0)
        if notice.status in ("pending_approval", "scheduled", "sending")
    ]
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


async def reachability(update: Update, context: AppContext) -> None:
    """A member blocked the bot (or started it again): note it for the next deliveries."""
    change = update.my_chat_member
    if change is None or change.chat.type != "private":
        return
    status = change.new_chat_member.status
    data = context.bot_data
    await NoticeRepository(data.db).set_reachable(
        change.chat.id, status not in ("kicked", "left"), data.clock.now()
    )


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
                TEXT_ZH: [MessageHandler(text_input, text_zh), CommandHandler("skip", skip_zh)],
                TEXT_EN: [MessageHandler(text_input, text_en), CommandHandler("skip", skip_en)],
                WHEN: [
                    MessageHandler(filters.TEXT & ~filters.COMMAND, when),
                    CallbackQueryHandler(when, pattern=r"^ntc:now$"),
                ],
            },
            fallbacks=[CommandHandler("cancel", cancel)],
            name="notice",
            allow_reentry=True,
        )
    app.add_handler(conversation)
    app.add_handler(CommandHandler("notices", list_notices))
    app.add_handler(CommandHandler("cancelnotice", cancel_notice))
    app.add_handler(CallbackQueryHandler(action, pattern=ACTION_PATTERN))
    app.add_handler(ChatMemberHandler(reachability, ChatMemberHandler.MY_CHAT_MEMBER), group=1)
    # Before every other group, so that no ApplicationHandlerStop can skip it.
    app.add_handler(TypeHandler(Update, client_language), group=-3)
