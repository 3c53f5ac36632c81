"""Rounds of a meeting's messages on the one paced delivery engine: invitations and reminders.

A round's outbox rows are written in the transaction that decides it (storage.meeting_rounds);
this module sends them under the shared broadcast rate. Each person's row records their
message; a database that refuses a write is waited out (the meeting's creator is told once)
and the round goes on by itself; a crash resumes it at the next start, repeating at most the
sends in flight; a clean stop records what was sent and leaves the rest pending.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.delivery_engine import DeliveryRun
from bot.delivery_writes import waited_out
from bot.i18n import t
from bot.meetings import render
from bot.meetings.rules import Delivery
from storage.faults import DatabaseUnavailable
from storage.meeting_rounds import INVITATION_KINDS, MeetingRound, MeetingRoundRepository
from storage.meeting_rows import Meeting
from storage.outbox import NOT_REACHED, Recipient
from storage.people import Language, PeopleRepository

if TYPE_CHECKING:
    from bot.meetings.service import MeetingService

__all__ = ["MeetingRounds", "delivery_of"]

logger = logging.getLogger(__name__)


def delivery_of(counts: dict[str, int]) -> Delivery:
    """A round's outcome as the secretariat is told it: sent, unreachable, failed."""
    unreachable = counts.get("blocked", 0) + counts.get("never_started", 0)
    failed = sum(counts.get(state, 0) for state in NOT_REACHED) - unreachable
    return Delivery(counts.get("sent", 0), unreachable, failed)


class MeetingRounds:
    """Runs, resumes and stops the rounds of every meeting."""

    def __init__(self, service: MeetingService, repo: MeetingRoundRepository) -> None:
        self.service = service
        self.repo = repo
        self.runs: dict[int, DeliveryRun] = {}
        self.stopping = False
        # Between tries of a write the database refused (tests put an instant one here).
        self.pause: Callable[[float], Awaitable[None]] = asyncio.sleep
        self._told_waiting: set[int] = set()  # rounds whose meeting's creator has been told
        self._going: dict[int, asyncio.Event] = {}  # set when the round's run ends

    async def run(self, round_id: int) -> Delivery:
        """Send (or resume) a round on the paced engine; how it went."""
        going = self._going.get(round_id)
        if going is not None:  # already going out (a start-up resume met a new round)
            await going.wait()
            return delivery_of(await self.repo.counts(round_id))
        found = await self.repo.get(round_id)
        meeting = await self.service.repo.get(found.meeting_id) if found else None
        if found is not None and meeting is not None and not self.stopping:
            if round_id in self._going:  # taken meanwhile
                return await self.run(round_id)
            self._going[round_id] = asyncio.Event()
            try:
                await self._run(found, meeting)
            finally:
                self._going.pop(round_id).set()
        return delivery_of(await self.repo.counts(round_id))

    async def _run(self, found: MeetingRound, meeting: Meeting) -> None:
        run = DeliveryRun(
            self.repo.outbox.rows(found.id, self.service.now),
            lambda recipient: self._send(found, meeting, recipient),
            self.service.limiter,
            self.service.clock,
            pause=self.pause,
            on_stuck=lambda error: self._tell_stuck(found, meeting, error),
        )
        self.runs[found.id] = run
        try:
            await run.run()
            if not run.stopping.is_set():
                finished = self.service.now()
                await self._saved(found, meeting, lambda: self.repo.finish(found.id, finished))
        finally:
            self.runs.pop(found.id, None)
            self._told_waiting.discard(found.id)
        if found.kind in INVITATION_KINDS:
            self.service.summary_changed(meeting.id)

    async def _send(self, found: MeetingRound, meeting: Meeting, recipient: Recipient) -> int:
        """One message of the round, straight to the Bot: the engine classifies Telegram's
        errors and paces retries itself."""
        if found.kind in INVITATION_KINDS:
            text, markup = await self._invitation(found, meeting, recipient)
        else:
            text, markup = self._reminder(found, meeting, recipient)
        bot = self.service.messenger.bot
        message = await bot.send_message(recipient.chat_id, text, reply_markup=markup)
        return message.message_id

    async def _invitation(
        self, found: MeetingRound, meeting: Meeting, recipient: Recipient
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        invitee = await self.service.repo.invitee(meeting.id, recipient.person_id)
        if invitee is None:  # erased from the roster since the round began
            raise TelegramError("no longer on the roster")
        now = self.service.now()
        language = invitee.language
        moved = found.kind == "moved"
        header = t(language, "meetings.moved_notice", id=meeting.id) if moved else None
        tz = self.service.tz
        text = render.invitation_text(meeting, invitee, language, tz, now, header=header)
        return text, render.invitation_keyboard(meeting, language, invitee.response, now)

    def _reminder(
        self, found: MeetingRound, meeting: Meeting, recipient: Recipient
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        language: Language = "en" if recipient.language == "en" else "zh"
        tz = self.service.tz
        text = t(
            language,
            f"meetings.reminder_{found.kind}",
            id=meeting.id,
            title=meeting.title,
            when=render.local_time(meeting.starts_at, tz, language),
            place=meeting.place,
            deadline=render.local_time(meeting.deadline, tz, language),
        )
        markup = (
            render.invitation_keyboard(meeting, language, "none", self.service.now())
            if found.kind == "deadline"
            else None
        )
        return text, markup

    async def _tell_stuck(
        self, found: MeetingRound, meeting: Meeting, error: DatabaseUnavailable
    ) -> None:
        """Tell the meeting's creator once that the round waits for the database."""
        if found.id in self._told_waiting:
            return
        self._told_waiting.add(found.id)
        creator = await PeopleRepository(self.service.db).get(meeting.created_by or 0)
        chat = creator.telegram_id if creator is not None else meeting.summary_chat_id
        if chat is None:
            return
        language: Language = (
            creator.spoken_language if creator else meeting.summary_language or "zh"
        )
        text = t(
            language,
            "meetings.round_waits",
            id=meeting.id,
            what=t(language, f"meetings.round_{found.kind}"),
            fault=t(language, f"notices.fault_{error.fault.value}"),
        )
        await self.service.limiter.acquire()  # counts against the rate like the round's sends
        try:
            await self.service.messenger.send(chat, text)
        except TelegramError as failure:
            logger.warning("could not tell that meeting %d's round waits: %s", meeting.id, failure)

    async def _saved(
        self, found: MeetingRound, meeting: Meeting, write: Callable[[], Awaitable[None]]
    ) -> None:
        """A round's bookkeeping write, tried again while the database refuses it; given up
        at a stop (the round stays unfinished and the next start finishes it)."""
        await waited_out(
            write,
            pause=self.pause,
            on_stuck=lambda error: self._tell_stuck(found, meeting, error),
            give_up=lambda: self.stopping,
        )

    async def resume(self) -> int:
        """Start-up: finish the rounds a stop, crash or fault interrupted; how many rounds."""
        released = await self.repo.release_in_flight()
        if released:
            logger.warning(
                "%d meeting messages were in flight at the last stop; resending", released
            )
        unfinished = await self.repo.unfinished()
        for round_id in unfinished:
            if self.stopping:
                break
            await self.run(round_id)
        return len(unfinished)

    def begin_stop(self) -> None:
        """Take no new recipient in any round (a clean stop's first step)."""
        self.stopping = True
        for run in self.runs.values():
            run.stop()

    async def wait_stopped(self, timeout: float) -> None:
        """Wait (at most `timeout` seconds) for the running rounds to record their sends."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.runs and loop.time() < deadline:
            await asyncio.sleep(0.05)
