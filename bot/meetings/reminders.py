"""Reminders of meetings: jobs re-created from SQLite at start-up, each sent as a round.

A reminder (scheduled or `/remind`) snapshots whom it reminds into a round's outbox in the
transaction that claims the reminder, then runs like every round (bot/meetings/rounds.py):
paced, waiting out database faults, resumed after a crash or stop.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from telegram.ext import CallbackContext

from bot.meetings.rules import Delivery
from storage.meeting_reminders import ReminderRepository
from storage.meeting_rounds import RoundTarget
from storage.meeting_rows import Meeting, RoundKind

if TYPE_CHECKING:
    from bot.meetings.service import MeetingService

__all__ = ["REMINDER_MISFIRE_GRACE", "ReminderJobs"]

logger = logging.getLogger(__name__)

REMINDER_MISFIRE_GRACE = 3600


class ReminderJobs:
    """The JobQueue side of the reminder schedule kept in SQLite, and the rounds it sends."""

    def __init__(self, service: MeetingService, repo: ReminderRepository) -> None:
        self.service = service
        self.repo = repo

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
        self, meeting: Meeting, kind: RoundKind, *, reminder_id: int | None = None
    ) -> Delivery | None:
        """Nudge non-responders (`deadline`) or remind the seated Yes (`start`), as one round.

        None when the scheduled reminder `reminder_id` was already taken.
        """
        invitees = await self.service.repo.invitees(meeting.id)
        if kind == "start":
            seated = set((await self.service.answers.seated(meeting))[: meeting.capacity or None])
            chosen = [i for i in invitees if i.person_id in seated]
        else:
            chosen = [i for i in invitees if i.response == "none"]
        targets = [
            RoundTarget(i.person_id, i.telegram_id, i.language, i.delivery != "unreachable")
            for i in chosen
        ]
        now = self.service.now()
        async with self.service.db.transaction() as tx:
            if reminder_id is not None and not await self.repo.take(tx, reminder_id, now):
                return None
            round_id = await self.service.rounds.repo.insert(tx, meeting.id, kind, targets, now)
        return await self.service.rounds.run(round_id)
