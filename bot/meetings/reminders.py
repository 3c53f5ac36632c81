"""Reminders of meetings: jobs re-created from SQLite at start-up, and rounds sent like notices.

A round (a scheduled reminder or `/remind`) snapshots whom it reminds into its own outbox in
the transaction that claims the reminder, then runs on the notices' paced engine under the
shared broadcast rate: each person's row records their reminder, a crash or stop resumes the
round at the next start, and only the sends in flight at a crash may be repeated.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from telegram.ext import CallbackContext

from bot.clock import Clock
from bot.delivery_engine import DeliveryRun
from bot.i18n import t
from bot.meetings import render
from bot.meetings.rules import Delivery
from storage.meeting_reminders import ReminderRepository
from storage.meetings import Meeting
from storage.notice_outbox import NOT_REACHED, Recipient, SendOutcome
from storage.people import Language
from storage.reminder_outbox import ReminderRoundRepository, ReminderTarget

if TYPE_CHECKING:
    from bot.meetings.service import MeetingService

__all__ = ["REMINDER_MISFIRE_GRACE", "ReminderJobs"]

logger = logging.getLogger(__name__)

REMINDER_MISFIRE_GRACE = 3600


class _RoundOutbox:
    """One round's outbox rows, as the delivery engine reads and writes them."""

    def __init__(self, repo: ReminderRoundRepository, round_id: int, clock: Clock) -> None:
        self.repo = repo
        self.round_id = round_id
        self.clock = clock

    async def counts(self) -> dict[str, int]:
        return await self.repo.counts(self.round_id)

    async def pending(self, after_person: int, limit: int) -> list[Recipient]:
        return await self.repo.pending(self.round_id, after_person, limit)

    async def record(
        self,
        claims: Sequence[int],
        outcomes: Sequence[SendOutcome],
        releases: Sequence[tuple[int, str]],
    ) -> set[int]:
        return await self.repo.record_sends(
            self.round_id, claims, outcomes, releases, self.clock.now()
        )


class ReminderJobs:
    """The JobQueue side of the reminder schedule kept in SQLite, and the rounds it sends."""

    def __init__(self, service: MeetingService) -> None:
        self.service = service
        self.runs: dict[int, DeliveryRun] = {}
        self.stopping = False

    @property
    def repo(self) -> ReminderRepository:
        """The reminders repository."""
        return ReminderRepository(self.service.db)

    @property
    def rounds(self) -> ReminderRoundRepository:
        """The rounds and their outbox."""
        return ReminderRoundRepository(self.service.db)

    async def schedule(self, meeting_id: int | None = None) -> int:
        """(Re-)create the JobQueue jobs of pending reminders from SQLite; a missed one runs now."""
        queue = self.service.job_queue
        if queue is None:
            return 0
        now = self.service.now()
        reminders = await self.repo.pending_reminders(meeting_id)
        for reminder in reminders:
            name = f"meeting-reminder-{reminder.meeting_id}-{reminder.kind}"
            for job in queue.get_jobs_by_name(name):
                job.schedule_removal()
            when: datetime | timedelta = (
                reminder.due_at if reminder.due_at > now else timedelta(seconds=1)
            )
            queue.run_once(
                self._reminder_job,
                when=when,
                data=reminder.id,
                name=name,
                job_kwargs={"misfire_grace_time": REMINDER_MISFIRE_GRACE},
            )
        return len(reminders)

    def drop(self, meeting_id: int) -> None:
        queue = self.service.job_queue
        if queue is None:
            return
        for kind in ("deadline", "start"):
            for job in queue.get_jobs_by_name(f"meeting-reminder-{meeting_id}-{kind}"):
                job.schedule_removal()

    async def _reminder_job(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        """Run one reminder if its row is still pending and the event is ahead."""
        job = context.job
        if job is not None and isinstance(job.data, int):
            await self.run(job.data)

    async def run(self, reminder_id: int) -> Delivery | None:
        """Send a scheduled reminder once: its round is created as its row is claimed."""
        reminder = await self.repo.get_reminder(reminder_id)
        if reminder is None or reminder.status != "pending":
            return None
        meeting = await self.service.repo.get(reminder.meeting_id)
        now = self.service.now()
        if meeting is None:
            return None
        event = meeting.deadline if reminder.kind == "deadline" else meeting.starts_at
        if meeting.status != "open" or now >= event:
            await self.repo.claim_reminder(reminder.id, "skipped", now)
            return None
        return await self.remind(meeting, reminder.kind, reminder_id=reminder.id)

    async def remind(
        self, meeting: Meeting, kind: str, *, reminder_id: int | None = None
    ) -> Delivery | None:
        """Nudge non-responders (`deadline`) or remind the seated Yes (`start`), as one round.

        None when the scheduled reminder `reminder_id` was already taken.
        """
        invitees = await self.service.repo.invitees(meeting.id)
        if kind == "start":
            seated = set((await self.service.repo.seated(meeting))[: meeting.capacity or None])
            chosen = [i for i in invitees if i.person_id in seated]
        else:
            chosen = [i for i in invitees if i.response == "none"]
        targets = [
            ReminderTarget(i.person_id, i.telegram_id, i.language, i.delivery != "unreachable")
            for i in chosen
        ]
        round_id = await self.rounds.start(
            meeting.id, kind, targets, self.service.now(), reminder_id=reminder_id
        )
        if round_id is None:
            return None
        return await self.run_round(round_id)

    async def run_round(self, round_id: int) -> Delivery:
        """Send (or resume) a round on the paced engine; how it went."""
        found = await self.rounds.get(round_id)
        meeting = await self.service.repo.get(found.meeting_id) if found else None
        if found is not None and meeting is not None and not self.stopping:
            kind = found.kind
            run = DeliveryRun(
                _RoundOutbox(self.rounds, round_id, self.service.clock),
                lambda recipient: self._send(meeting, kind, recipient),
                self.service.limiter,
                self.service.clock,
            )
            self.runs[round_id] = run
            try:
                await run.run()
            finally:
                self.runs.pop(round_id, None)
            if not run.stopping.is_set():
                await self.rounds.finish(round_id, self.service.now())
        return _delivery(await self.rounds.counts(round_id))

    async def _send(self, meeting: Meeting, kind: str, recipient: Recipient) -> int:
        language: Language = "en" if recipient.language == "en" else "zh"
        tz = self.service.tz
        text = t(
            language,
            f"meetings.reminder_{kind}",
            id=meeting.id,
            title=meeting.title,
            when=render.local_time(meeting.starts_at, tz, language),
            place=meeting.place,
            deadline=render.local_time(meeting.deadline, tz, language),
        )
        markup = (
            render.invitation_keyboard(meeting, language, "none", self.service.now())
            if kind == "deadline"
            else None
        )
        # Straight to the Bot: the engine classifies Telegram's errors and paces retries itself.
        bot = self.service.messenger.bot
        message = await bot.send_message(recipient.chat_id, text, reply_markup=markup)
        return message.message_id

    async def resume(self) -> int:
        """Start-up: finish the rounds a stop or crash interrupted; how many rounds."""
        released = await self.rounds.release_in_flight()
        if released:
            logger.warning("%d reminders were in flight at the last stop; resending", released)
        unfinished = await self.rounds.unfinished()
        for round_id in unfinished:
            if self.stopping:
                break
            await self.run_round(round_id)
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


def _delivery(counts: dict[str, int]) -> Delivery:
    unreachable = counts.get("blocked", 0) + counts.get("never_started", 0)
    failed = sum(counts.get(state, 0) for state in NOT_REACHED) - unreachable
    return Delivery(counts.get("sent", 0), unreachable, failed)
