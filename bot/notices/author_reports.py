"""What a notice's author is told: progress while it goes out, the final report, and waits."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.delivery_engine import DeliveryRun
from bot.i18n import t
from bot.messaging import Messenger
from bot.notices.pacing import SmoothLimiter
from bot.notices.reports import final_report, progress_text
from bot.notices.stores import NoticeStores
from storage.faults import DatabaseUnavailable
from storage.notices import Notice
from storage.people import Language, PeopleRepository

__all__ = ["PROGRESS_EVERY", "AuthorReports"]

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 3.0  # seconds between edits of the progress message


class AuthorReports:
    """Messages to a notice's author, paced with the deliveries under the broadcast rate."""

    def __init__(
        self,
        messenger: Messenger,
        limiter: SmoothLimiter,
        people: PeopleRepository,
        stores: NoticeStores,
    ) -> None:
        self._messenger = messenger
        self._limiter = limiter
        self._people = people
        self._outbox = stores.outbox
        self._receipts = stores.receipts
        self._told_waiting: set[int] = set()  # notices whose author knows they wait

    async def language_of(self, notice: Notice) -> Language:
        """The language to speak to the notice's author in."""
        person = await self._people.get(notice.author_person_id or 0)
        if person and person.language:
            return person.language
        return "en" if notice.author_language == "en" else "zh"

    async def tell(
        self, notice: Notice, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> int | None:
        """Message the notice's author; return the message id."""
        if not notice.author_chat_id:
            return None
        await self._limiter.acquire()  # a delivery's messages to its author count too
        try:
            message = await self._messenger.send(
                notice.author_chat_id, text, markup, parse_mode=ParseMode.HTML
            )
        except TelegramError as error:
            logger.warning("could not report to the author of notice %d: %s", notice.id, error)
            return None
        return message.message_id if message is not None else None

    async def tell_stuck(self, notice: Notice, error: DatabaseUnavailable) -> None:
        """Tell the author once that the delivery waits for the database, and goes on after."""
        if notice.id in self._told_waiting:
            return
        self._told_waiting.add(notice.id)
        language: Language = "en" if notice.author_language == "en" else "zh"
        fault = t(language, f"notices.fault_{error.fault.value}")
        await self.tell(notice, t(language, "notices.delivery_waits", id=notice.id, fault=fault))

    def forget(self, notice_id: int) -> None:
        """The delivery ended: a later wait is told again."""
        self._told_waiting.discard(notice_id)

    async def progress(
        self, notice: Notice, run: DeliveryRun, language: Language, message_id: int | None
    ) -> None:
        """Edit the progress message every few seconds while the run goes on (cancel to end)."""
        shown = ""
        while message_id and notice.author_chat_id:
            await asyncio.sleep(PROGRESS_EVERY)
            text = progress_text(notice, run, language)
            if text != shown:
                shown = text
                await self._limiter.acquire()  # edits count against Telegram's limit too
                try:
                    await self._messenger.edit_text(
                        notice.author_chat_id, message_id, text, parse_mode=ParseMode.HTML
                    )
                except TelegramError as error:
                    logger.info("progress edit failed: %s", error)

    async def final_report(
        self, notice: Notice, run: DeliveryRun, language: Language, message_id: int | None
    ) -> None:
        """The last progress figures, then the report: delivered, blocked, never started."""
        counts = await self._outbox.counts(notice.id)
        receipts = (
            await self._receipts.receipt_summary(notice.id) if notice.kind == "notice" else None
        )
        text, markup = final_report(
            notice, counts, run.cancelled.is_set(), language, receipts if notice.ack else None
        )
        if message_id and notice.author_chat_id:
            await self._limiter.acquire()
            with contextlib.suppress(TelegramError):
                await self._messenger.edit_text(
                    notice.author_chat_id,
                    message_id,
                    progress_text(notice, run, language),
                    parse_mode=ParseMode.HTML,
                )
        await self.tell(notice, text, markup)
