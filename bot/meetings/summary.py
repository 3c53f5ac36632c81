"""The creator's summary of a meeting: one message, edited to the current counts.

Every change (an answer, a reason, someone present, a late joiner, a round done) asks for an
edit; edits of one meeting are at least `SUMMARY_EDIT_INTERVAL` apart, because edits count
against Telegram's limits and a burst of taps would otherwise edit it once per tap.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from telegram.error import TelegramError
from telegram.ext import CallbackContext

from bot.meetings import render

if TYPE_CHECKING:
    from bot.meetings.service import MeetingService

__all__ = ["SUMMARY_EDIT_INTERVAL", "SummaryEdits"]

logger = logging.getLogger(__name__)

SUMMARY_EDIT_INTERVAL = timedelta(seconds=5)


class SummaryEdits:
    """Edits each meeting's summary at most once per interval, as a named JobQueue job."""

    def __init__(self, service: MeetingService) -> None:
        self.service = service
        self.pending: set[int] = set()  # meetings whose edit is queued

    def changed(self, meeting_id: int) -> None:
        """Ask for the summary to be edited, at most once per interval."""
        queue = self.service.job_queue
        if queue is None or meeting_id in self.pending:
            return
        self.pending.add(meeting_id)
        queue.run_once(
            self._job,
            when=SUMMARY_EDIT_INTERVAL,
            data=meeting_id,
            name=f"meeting-summary-{meeting_id}",
            job_kwargs={"misfire_grace_time": 60},
        )

    async def _job(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        job = context.job
        if job is not None and isinstance(job.data, int):
            self.pending.discard(job.data)
            await self.refresh(job.data)

    async def refresh(self, meeting_id: int) -> None:
        """Edit the creator's summary message to the current counts."""
        service = self.service
        meeting = await service.repo.get(meeting_id)
        if meeting is None or meeting.summary_chat_id is None or meeting.summary_message_id is None:
            return
        language = meeting.summary_language or "zh"
        tally = await service.tally(meeting)
        room = await service.day.room(meeting, tally)
        text = render.summary_text(meeting, tally, language, service.tz, room)
        try:
            await service.messenger.edit_text(
                meeting.summary_chat_id,
                meeting.summary_message_id,
                text,
                render.summary_keyboard(meeting, language),
            )
        except TelegramError:
            logger.warning("could not edit the summary of meeting %s", meeting_id, exc_info=True)
