"""Reminder jobs: re-created from SQLite at start-up, each gated on its row so sent once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from telegram.ext import CallbackContext

from storage.meeting_reminders import ReminderRepository

if TYPE_CHECKING:
    from bot.meetings.service import Delivery, MeetingService

__all__ = ["REMINDER_MISFIRE_GRACE", "ReminderJobs"]

REMINDER_MISFIRE_GRACE = 3600


class ReminderJobs:
    """The JobQueue side of the reminder schedule kept in SQLite."""

    def __init__(self, service: MeetingService) -> None:
        self.service = service

    @property
    def repo(self) -> ReminderRepository:
        """The reminders repository."""
        return ReminderRepository(self.service.db)

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
        """Send a reminder once: claim its row first, so it is never sent twice."""
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
        if not await self.repo.claim_reminder(reminder.id, "sent", now):
            return None
        return await self.service.remind(meeting, reminder.kind)
