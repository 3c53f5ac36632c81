"""/notice (one-line and guided), approval, /notices, /cancelnotice and the delivery reports."""

from __future__ import annotations

import re
import warnings
from dataclasses import replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.app import AppContext, BotApplication
from bot.notices.compose import (
    ComposeError,
    Draft,
    body_after_first_line,
    message_part,
    parse_options,
    parse_when,
    split_versions,
)
from bot.notices.service import NoticeService, install
from bot.notices.views import overview_lines, preview_parts, unreachable_lines
from handlers.common import Caller, identify, reply, require_role, send_usage
from storage.notices import Notice, NoticeRepository
from storage.people import Role

__all__ = ["AUDIENCE", "CATEGORY", "TEXT_EN", "TEXT_ZH", "WHEN", "register"]

AUDIENCE, CATEGORY, TEXT_ZH, TEXT_EN, WHEN = range(5)
DRAFT_KEY = "notice_draft"
_ACTION = re.compile(r"^ntc:(ok|no|apr|rej|unr):(\d{1,12})$")
_CHUNK = 3800


def _service(context: AppContext) -> NoticeService:
    service = context.bot_data.notices
    if service is None:
        raise RuntimeError("the notices service is not running")
    return service


def _buttons(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


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
        _buttons(
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
    if caller is None or message is None:
        return ConversationHandler.END
    text = message.text or message.caption or ""
    if text.strip() == "/notice" or re.fullmatch(r"/notice(@\w+)?\s*", text):
        context.user_data[DRAFT_KEY] = Draft()  # type: ignore[index]
        await reply(
            update,
            caller.t("notices.ask_audience"),
            _buttons(
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
            raise ComposeError("notices.text_missing")
        for language, part in split_versions(body, draft.language).items():
            draft = draft.with_part(language, part)
    except ComposeError as error:
        await reply(update, caller.t(error.key, **error.values))
        await send_usage(update, caller, "notices.notice")
        return
    await _store_and_preview(update, context, caller, draft)


def _draft(context: AppContext) -> Draft:
    draft = context.user_data.get(DRAFT_KEY) if context.user_data is not None else None
    return draft if isinstance(draft, Draft) else Draft()


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
        context.user_data[DRAFT_KEY] = replace(draft, audience=value)  # type: ignore[index]
        await reply(
            update,
            caller.t("notices.ask_category"),
            _buttons(
                [(caller.t(f"notices.category_{c}"), f"ntc:cat:{c}") for c in ("official", "news")]
            ),
        )
        return CATEGORY
    if field == "cat" and value in ("official", "news"):
        context.user_data[DRAFT_KEY] = replace(draft, category=value)  # type: ignore[index]
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
    context.user_data[DRAFT_KEY] = draft  # type: ignore[index]
    return TEXT_EN if language == "zh" else await _ask_when(update, caller)


async def _ask_when(update: Update, caller: Caller) -> int:
    await reply(
        update,
        caller.t("notices.ask_when"),
        _buttons([(caller.t("notices.when_now_button"), "ntc:now")]),
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


async def skip(update: Update, context: AppContext) -> int:
    """/skip a language version (at least one is needed)."""
    caller = await identify(update, context)
    if caller is None:
        return ConversationHandler.END
    draft = _draft(context)
    if draft.text_zh is None and draft.text_en is None:
        if context.user_data is not None and context.user_data.get("notice_asked_en"):
            await reply(update, caller.t("notices.text_missing"))
            return TEXT_EN
        context.user_data["notice_asked_en"] = True  # type: ignore[index]
        await reply(update, caller.t("notices.ask_text_en"))
        return TEXT_EN
    if draft.text_en is None and not (context.user_data or {}).get("notice_asked_en"):
        context.user_data["notice_asked_en"] = True  # type: ignore[index]
        await reply(update, caller.t("notices.ask_text_en"))
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
    if context.user_data is not None:
        context.user_data.pop(DRAFT_KEY, None)
        context.user_data.pop("notice_asked_en", None)


async def cancel(update: Update, context: AppContext) -> int:
    """/cancel the guided form."""
    _clear(context)
    caller = await identify(update, context)
    if caller is not None:
        await reply(update, caller.t("notices.guided_cancelled"))
    return ConversationHandler.END


async def action(update: Update, context: AppContext) -> None:
    """Confirm, Cancel, Approve, Reject and the unreachable list (every tap rechecks the role)."""
    query = update.callback_query
    if query is None:
        return
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None:
        return
    match = _ACTION.match(query.data or "")
    service = _service(context)
    notice = await service.repo.get(int(match.group(2))) if match else None
    if match is None or notice is None:
        await query.answer(caller.t("core.button_invalid"), show_alert=True)
        return
    await query.answer()
    verb = match.group(1)
    if verb == "unr":
        await _send_unreachable(update, service, caller, notice)
    elif verb in ("ok", "no"):
        await _author_decides(update, context, service, caller, notice, verb == "ok")
    else:
        await _approver_decides(update, context, service, caller, notice, verb == "apr")


async def _author_decides(
    update: Update,
    context: AppContext,
    service: NoticeService,
    caller: Caller,
    notice: Notice,
    confirmed: bool,
) -> None:
    if notice.status != "draft" or notice.author_person_id != caller.person.id:
        await reply(update, caller.t("notices.already_handled", id=notice.id))
        return
    if not confirmed:
        await service.repo.move(notice.id, ("draft",), "cancelled")
        await reply(update, caller.t("notices.draft_cancelled", id=notice.id))
        return
    if context.bot_data.settings.notice_approval >= 2:
        if await service.repo.move(notice.id, ("draft",), "pending_approval"):
            await _ask_approval(context, service, caller, notice)
            await reply(update, caller.t("notices.waiting_approval", id=notice.id))
        return
    scheduled = await service.confirm(notice.id)
    await _tell_scheduled(update, service, caller, scheduled)


async def _ask_approval(
    context: AppContext, service: NoticeService, author: Caller, notice: Notice
) -> None:
    data = context.bot_data
    for chat_id in await data.people.secretariat_chat_ids():
        if chat_id == author.person.telegram_id:
            continue
        person = await data.people.get_by_telegram_id(chat_id)
        language = person.language if person and person.language else "zh"
        from bot.i18n import t

        parts = preview_parts(notice, data.settings.timezone, language)
        for part in parts[:-1]:
            await context.bot.send_message(chat_id, part)
        await context.bot.send_message(
            chat_id,
            t(language, "notices.approval_request", author=author.person.name) + "\n\n" + parts[-1],
            reply_markup=_buttons(
                [
                    (t(language, "notices.approve"), f"ntc:apr:{notice.id}"),
                    (t(language, "notices.reject"), f"ntc:rej:{notice.id}"),
                ]
            ),
        )


async def _approver_decides(
    update: Update,
    context: AppContext,
    service: NoticeService,
    caller: Caller,
    notice: Notice,
    approved: bool,
) -> None:
    if notice.status != "pending_approval":
        await reply(update, caller.t("notices.already_handled", id=notice.id))
        return
    if notice.author_person_id == caller.person.id:
        await reply(update, caller.t("notices.approve_own"))
        return
    if approved:
        scheduled = await service.confirm(notice.id, approver_id=caller.person.id)
        await _tell_scheduled(update, service, caller, scheduled)
    elif await service.repo.move(notice.id, ("pending_approval",), "rejected"):
        await reply(update, caller.t("notices.rejected", id=notice.id))
    else:
        return
    language = await service.language_of(notice)
    if notice.author_chat_id:
        from bot.i18n import t

        key = "notices.approved_by" if approved else "notices.rejected_by"
        await context.bot.send_message(
            notice.author_chat_id, t(language, key, id=notice.id, name=caller.person.name)
        )


async def _tell_scheduled(
    update: Update, service: NoticeService, caller: Caller, notice: Notice | None
) -> None:
    if notice is None:
        await reply(update, caller.t("notices.already_handled", id=0))
        return
    from bot.notices.views import when_text

    if notice.status in ("sending", "done") and not notice.recurrence:
        await reply(update, caller.t("notices.sending_now", id=notice.id))
    else:
        await reply(
            update,
            caller.t(
                "notices.scheduled",
                id=notice.id,
                when=when_text(notice, service.settings.timezone, caller.language),
            ),
        )


async def _send_unreachable(
    update: Update, service: NoticeService, caller: Caller, notice: Notice
) -> None:
    lines = unreachable_lines(await service.repo.unreachable(notice.id), caller.language)
    chunk = caller.t("notices.unreachable_title", id=notice.id)
    for line in lines or [caller.t("notices.unreachable_none")]:
        if len(chunk) + len(line) > _CHUNK:
            await reply(update, chunk)
            chunk = ""
        chunk += "\n" + line
    await reply(update, chunk)


async def list_notices(update: Update, context: AppContext) -> None:
    """/notices: scheduled and running ones first, then the recent ones, with status."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None:
        return
    service = _service(context)
    notices = await service.repo.list_for_overview()
    if not notices:
        await reply(update, caller.t("notices.none"))
        return
    progress = {nid: (run.finished, run.total) for nid, run in service.runs.items()}
    for notice in notices:
        if notice.status in ("done", "cancelled") and notice.total and notice.id not in progress:
            counts = await service.repo.counts(notice.id)
            progress[notice.id] = (
                counts.get("sent", 0) + counts.get("unconfirmed", 0),
                notice.total,
            )
    lines = overview_lines(notices, progress, service.settings.timezone, caller.language)
    await reply(update, "\n".join([caller.t("notices.overview_title"), *lines]))


async def cancel_notice(update: Update, context: AppContext) -> None:
    """/cancelnotice ID: cancel a scheduled notice or stop its delivery."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None:
        return
    args = context.args or []
    if len(args) != 1 or not re.fullmatch(r"#?\d{1,12}", args[0]):
        await send_usage(update, caller, "notices.cancelnotice")
        return
    notice_id = int(args[0].lstrip("#"))
    if await _service(context).cancel(notice_id):
        await reply(update, caller.t("notices.cancelled", id=notice_id))
    else:
        await reply(update, caller.t("notices.cannot_cancel", id=notice_id))


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


def register(app: BotApplication) -> None:
    """Wire the notices feature in and start its service with the bot."""
    install(app)
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
                TEXT_ZH: [MessageHandler(text_input, text_zh), CommandHandler("skip", skip)],
                TEXT_EN: [MessageHandler(text_input, text_en), CommandHandler("skip", skip)],
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
    app.add_handler(CallbackQueryHandler(action, pattern=r"^ntc:(ok|no|apr|rej|unr):"))
    app.add_handler(ChatMemberHandler(reachability, ChatMemberHandler.MY_CHAT_MEMBER), group=1)
