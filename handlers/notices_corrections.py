"""`/notice ID edit` (then the corrected text) and `/notice ID recall`: preview, then Confirm."""

from __future__ import annotations

import re

from telegram import Message, Update
from telegram.ext import ConversationHandler

from bot.context import AppContext, user_state
from bot.notices.compose import (
    ComposeError,
    Part,
    body_after_first_line,
    message_part,
    rendered_length,
)
from bot.notices.compose import split_versions as versions_of
from bot.notices.views import preview_parts
from handlers.common import Caller, identify, reply, send_usage
from handlers.notices_actions import buttons, notice_service
from storage.notices import Notice

__all__ = ["EDIT_TEXT", "corrected_text", "correction_command", "is_correction"]

EDIT_TEXT = 10
_CORRECTION = re.compile(r"\s*/notice(?:@\w+)?\s+#?(\d{1,12})\s+(edit|recall)\b", re.IGNORECASE)


def is_correction(text: str) -> bool:
    """Whether a /notice command is `/notice ID edit` or `/notice ID recall`."""
    return _CORRECTION.match(text) is not None


async def correction_command(
    update: Update, context: AppContext, caller: Caller, message: Message
) -> int:
    """`/notice ID edit [text]` or `/notice ID recall`: check the notice, then preview."""
    text = message.text or message.caption or ""
    match = _CORRECTION.match(text)
    assert match is not None
    notice_id, verb = int(match.group(1)), match.group(2).lower()
    service = notice_service(context)
    parent = await service.lookup.correctable(notice_id)
    if parent is None:
        await reply(update, caller.t("notices.correction_unknown", id=notice_id))
        return ConversationHandler.END
    if verb == "recall":
        if len(text[match.end() :].strip()) > 0:
            await send_usage(update, caller, "notices.correction")
            return ConversationHandler.END
        action = await service.actions.draft(
            parent, "recall", caller.person.id, message.chat_id, caller.language
        )
        await _preview(update, context, caller, parent, action)
        return ConversationHandler.END
    _, body = body_after_first_line(message)
    if not body.html.strip():
        user_state(context).correction_of = notice_id
        await reply(update, caller.t("notices.ask_correction", id=notice_id))
        return EDIT_TEXT
    await _draft_correction(update, context, caller, parent, body)
    return ConversationHandler.END


async def corrected_text(update: Update, context: AppContext) -> int:
    """The guided correction: the message after `/notice ID edit` is the new text."""
    caller = await identify(update, context)
    message = update.effective_message
    state = user_state(context)
    target, state.correction_of = state.correction_of, None
    if caller is None or message is None or target is None:
        return ConversationHandler.END
    parent = await notice_service(context).lookup.notice(target)
    if parent is None:
        await reply(update, caller.t("notices.correction_unknown", id=target))
        return ConversationHandler.END
    if not await _draft_correction(update, context, caller, parent, message_part(message)):
        state.correction_of = target
        return EDIT_TEXT
    return ConversationHandler.END


async def _draft_correction(
    update: Update, context: AppContext, caller: Caller, parent: Notice, body: Part
) -> bool:
    """Read the versions of the corrected text and preview the correction; False if unreadable."""
    if body.media_kind:
        await reply(update, caller.t("notices.correction_text_only"))
        return False
    limit = 1024 if parent.media_kind else 4096
    try:
        if not body.html.strip():
            raise ComposeError("notices.text_missing")
        versions = versions_of(body, None)
        length = max(rendered_length(part.html) for part in versions.values())
        if length > limit:
            raise ComposeError("notices.too_long", limit=limit, length=length)
    except ComposeError as error:
        await reply(update, caller.t(error.key, **error.values))
        return False
    texts = (
        versions["zh"].html if "zh" in versions else None,
        versions["en"].html if "en" in versions else None,
    )
    chat_id = update.effective_chat.id if update.effective_chat else 0
    action = await notice_service(context).actions.draft(
        parent, "edit", caller.person.id, chat_id, caller.language, texts
    )
    await _preview(update, context, caller, parent, action)
    return True


async def _preview(
    update: Update, context: AppContext, caller: Caller, parent: Notice, action: Notice
) -> None:
    """What the correction or recall will do, with Confirm and Cancel."""
    service = notice_service(context)
    copies = await service.lookup.copies(parent.id)
    parts = preview_parts(action, service.settings.timezone, caller.language)
    if action.kind == "edit":
        summary = caller.t(
            "notices.preview_edit", delivered=copies.delivered, waiting=copies.waiting
        )
    else:
        summary = caller.t(
            "notices.preview_recall",
            deletable=copies.delivered - copies.too_old,
            too_old=copies.too_old,
        )
        if parent.status in ("scheduled", "sending"):
            summary += "\n" + caller.t("notices.preview_recall_stops", id=parent.id)
    for part in parts[:-1]:
        await reply(update, part)
    await reply(
        update,
        parts[-1] + "\n" + summary,
        buttons(
            [
                (caller.t("notices.confirm"), f"ntc:ok:{action.id}"),
                (caller.t("notices.cancel"), f"ntc:no:{action.id}"),
            ]
        ),
    )
