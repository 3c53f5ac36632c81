"""Closing the approval requests of a decided notice (its Approve and Reject buttons)."""

from __future__ import annotations

import logging

from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.i18n import t
from bot.messaging import Messenger
from bot.notices.compose import TEXT_LIMIT
from storage.notices import NoticeRepository
from storage.people import Language

__all__ = ["close_approval_requests"]

logger = logging.getLogger(__name__)


async def close_approval_requests(
    messenger: Messenger, repo: NoticeRepository, notice_id: int, key: str, name: str = ""
) -> None:
    """Take Approve and Reject away from every approval request of a decided notice.

    Each request keeps its preview and gains a line saying how the notice was decided
    (`key`), so no secretariat member is left with a stale button.
    """
    for request in await repo.take_approval_requests(notice_id):
        if request.chat_id is None:
            continue
        language: Language = "en" if request.language == "en" else "zh"
        text = request.text + "\n\n" + t(language, key, id=notice_id, name=name)
        try:
            if len(text) <= TEXT_LIMIT:
                await messenger.edit_text(
                    request.chat_id, request.message_id, text, parse_mode=ParseMode.HTML
                )
            else:
                await messenger.edit_reply_markup(request.chat_id, request.message_id, None)
        except TelegramError as error:
            logger.info("could not close an approval request of notice %d: %s", notice_id, error)
