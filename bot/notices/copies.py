"""One copy of a notice: the Bot API call that sends, corrects or deletes it for one recipient.

Every kind of outbox runs through the same paced engine (`bot.delivery_engine`); only the
call differs:
- a notice (or a follow-up to those who have not confirmed): `sendMessage` (or `sendPhoto`,
  `sendDocument`), with the "Received / 收到" button when receipts are asked;
- a correction: `editMessageText` (or `editMessageCaption`) of the recorded message, keeping
  the button (marked done for those who confirmed);
- a recall: `deleteMessage` of the recorded message.
"""

from __future__ import annotations

from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    TelegramObject,
)
from telegram.error import BadRequest

from bot.i18n import t
from bot.notices.bulkapi import BulkBotApi
from storage.notices import Notice
from storage.outbox import CHANNEL_PERSON, Recipient

__all__ = ["ACK_CALLBACK", "ack_markup", "copy_request", "post", "receipt_notice_id"]

ACK_CALLBACK = "ntc:ack"
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
_BOT_METHODS = {
    "sendMessage": "send_message",
    "sendPhoto": "send_photo",
    "sendDocument": "send_document",
    "editMessageText": "edit_message_text",
    "editMessageCaption": "edit_message_caption",
    "deleteMessage": "delete_message",
}


def receipt_notice_id(notice: Notice) -> int:
    """The notice a receipt tap on this copy confirms (a follow-up's or correction's parent)."""
    if notice.kind in ("reminder", "edit") and notice.parent_id:
        return notice.parent_id
    return notice.id


def ack_markup(notice_id: int, done: bool) -> InlineKeyboardMarkup:
    """The receipt button, or the same button marked done once the member confirmed."""
    key = "notices.ack_done_button" if done else "notices.ack_button"
    button = InlineKeyboardButton(t("en", key), callback_data=f"{ACK_CALLBACK}:{notice_id}")
    return InlineKeyboardMarkup([[button]])


def copy_request(
    notice: Notice, recipient: Recipient, *, acked: bool = False
) -> tuple[str, dict[str, Any]]:
    """The Bot API method and parameters that act on this recipient's copy."""
    chat: dict[str, Any] = {"chat_id": recipient.chat_id}
    if notice.kind == "recall":
        return "deleteMessage", {**chat, "message_id": recipient.message_id}
    text = notice.text_for(recipient.language)
    params: dict[str, Any] = {**chat, "parse_mode": "HTML"}
    if notice.ack and recipient.person_id != CHANNEL_PERSON:
        params["reply_markup"] = ack_markup(receipt_notice_id(notice), acked)
    media = notice.media_kind if notice.media_kind in ("photo", "document") else None
    if notice.kind == "edit":
        params["message_id"] = recipient.message_id
        if media:
            return "editMessageCaption", {**params, "caption": text}
        return "editMessageText", {**params, "text": text, "link_preview_options": NO_PREVIEW}
    if media and notice.media_file_id:
        method = "sendPhoto" if media == "photo" else "sendDocument"
        return method, {**params, media: notice.media_file_id, "caption": text}
    return "sendMessage", {**params, "text": text, "link_preview_options": NO_PREVIEW}


async def post(
    bot: Bot, bulk: BulkBotApi | None, method: str, params: dict[str, Any]
) -> int | None:
    """Make the call (bulk client over HTTP, else the Bot); return the message id it made.

    An edit Telegram refuses as "message is not modified" already shows the text: done.
    """
    try:
        if bulk is not None:
            wire = {
                name: value.to_dict() if isinstance(value, TelegramObject) else value
                for name, value in params.items()
            }
            result = await bulk.call(method, wire)
            return int(result["message_id"]) if isinstance(result, dict) else None
        answer = await getattr(bot, _BOT_METHODS[method])(**params)
    except BadRequest as error:
        if method.startswith("edit") and "not modified" in str(error.message).lower():
            return None
        raise
    return answer.message_id if isinstance(answer, Message) else None
