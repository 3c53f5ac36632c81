"""Notice sends over the paced engine: the message itself, and the notice's outbox.

The engine (`bot.delivery_engine`) paces, claims, records and stops; this module says what a
notice's send is and where its per-recipient rows live. Per recipient, the row is `sending`
while the send is in flight and then records its outcome; a crash therefore leaves only the
sends in flight `sending`. At start-up those go back to `pending` and are sent again (the only
possible duplicates). A row recorded with any other state is never sent again.
"""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode

from bot.clock import Clock
from bot.delivery_engine import (
    MAX_ATTEMPTS,
    DeliveryRun,
    Outcome,
    certainly_not_sent,
    classify,
    max_in_flight,
)
from bot.notices.bulkapi import BulkBotApi
from storage.notice_outbox import Recipient, SendOutcome
from storage.notices import Notice, NoticeRepository

__all__ = [
    "MAX_ATTEMPTS",
    "DeliveryRun",
    "NoticeOutbox",
    "Outcome",
    "certainly_not_sent",
    "classify",
    "max_in_flight",
    "send_notice",
    "send_notice_bulk",
]

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def send_notice(bot: Bot, notice: Notice, chat_id: int, language: str) -> int:
    """Send the notice in `language` (else the other version) to one chat; the message id."""
    text = notice.text_for(language)
    if notice.media_kind == "photo" and notice.media_file_id:
        message = await bot.send_photo(
            chat_id, notice.media_file_id, caption=text, parse_mode=ParseMode.HTML
        )
    elif notice.media_kind == "document" and notice.media_file_id:
        message = await bot.send_document(
            chat_id, notice.media_file_id, caption=text, parse_mode=ParseMode.HTML
        )
    else:
        message = await bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        )
    return message.message_id


async def send_notice_bulk(
    api: BulkBotApi, notice: Notice, chat_id: int, language: str
) -> int | None:
    """Like `send_notice`, through the lean bulk client."""
    text = notice.text_for(language)
    params: dict[str, object] = {"chat_id": chat_id, "parse_mode": "HTML"}
    if notice.media_kind in ("photo", "document") and notice.media_file_id:
        params.update({notice.media_kind: notice.media_file_id, "caption": text})
        method = "sendPhoto" if notice.media_kind == "photo" else "sendDocument"
    else:
        params.update({"text": text, "link_preview_options": {"is_disabled": True}})
        method = "sendMessage"
    result = await api.call(method, params)
    return result.get("message_id") if isinstance(result, dict) else None


class NoticeOutbox:
    """The outbox rows of one notice's delivery, as the engine reads and writes them."""

    def __init__(self, repo: NoticeRepository, notice_id: int, clock: Clock) -> None:
        self.repo = repo
        self.notice_id = notice_id
        self.clock = clock

    async def counts(self) -> dict[str, int]:
        """How many rows are in each state."""
        return await self.repo.counts(self.notice_id)

    async def pending(self, after_person: int, limit: int) -> list[Recipient]:
        """The next page of pending rows."""
        return await self.repo.pending(self.notice_id, after_person, limit)

    async def record(
        self,
        claims: Sequence[int],
        outcomes: Sequence[SendOutcome],
        releases: Sequence[tuple[int, str]],
    ) -> set[int]:
        """Record outcomes and releases and claim rows, in one transaction."""
        return await self.repo.record_sends(
            self.notice_id, claims, outcomes, releases, self.clock.now()
        )
