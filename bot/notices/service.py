"""The notices service: approval, schedules kept in SQLite, deliveries and the author's reports."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar, cast

from telegram.ext import CallbackContext, JobQueue

from bot.clock import Clock
from bot.config import Settings
from bot.delivery_engine import (
    BACKOFF_BASE,
    STOP_GRACE,
    DeliveryRun,
)
from bot.delivery_writes import waited_out
from bot.i18n import format_datetime, language_from_hint, t
from bot.messaging import Messenger
from bot.notices.actions import NoticeActions
from bot.notices.approvals import close_approval_requests
from bot.notices.author_reports import AuthorReports
from bot.notices.bulkapi import BulkBotApi
from bot.notices.copies import copy_request, post
from bot.notices.drafts import NoticeDrafts
from bot.notices.lookup import NoticeLookup
from bot.notices.pacing import SmoothLimiter
from bot.notices.recurrence import next_occurrence
from bot.notices.reports import progress_text
from bot.notices.stores import NoticeStores
from storage.database import Database, Transaction
from storage.faults import DatabaseUnavailable
from storage.notices import Notice, NoticeStatus, forget_recipient
from storage.outbox import OutboxRows, Recipient
from storage.people import PeopleRepository, Person
from storage.timestamps import from_db, to_db

__all__ = [
    "NoticeService",
    "erase_recipient",
]

logger = logging.getLogger(__name__)

T = TypeVar("T")


class NoticeService:
    """Schedules notices, runs their deliveries, and reports to their authors."""

    def __init__(
        self,
        *,
        db: Database,
        stores: NoticeStores,
        clock: Clock,
        settings: Settings,
        messenger: Messenger,
        job_queue: JobQueue[Any] | None,
        is_running: Callable[[], bool],
        bulk: BulkBotApi | None = None,
    ) -> None:
        self.messenger = messenger
        self.bot = messenger.bot
        self.bulk = bulk
        self.job_queue = job_queue
        self.is_running = is_running
        self.settings = settings
        self.backoff = BACKOFF_BASE
        self.clock = clock
        self.people = PeopleRepository(db)
        self.stores = stores
        self.repo = stores.notices
        self.outbox = stores.outbox
        self.limiter = SmoothLimiter(self.settings.broadcast_rate)
        self.runs: dict[int, DeliveryRun] = {}
        # What each running delivery sends now: a correction swaps the new text in.
        self.live: dict[int, Notice] = {}
        self.stopping = False
        self.starter: asyncio.Task[None] | None = None
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.client_languages: dict[int, str] = {}  # Telegram id -> app language noted
        self.actions = NoticeActions(self)
        self.lookup = NoticeLookup(stores, clock, self.runs)
        self.drafts = NoticeDrafts(self.repo, clock)
        self.pause: Callable[[float], Awaitable[None]] = asyncio.sleep  # between write retries
        self.reports = AuthorReports(messenger, self.limiter, self.people, stores)

    async def note_client_language(self, telegram_id: int, language_code: str | None) -> None:
        """Remember the language of a person's Telegram app (written once per change)."""
        if not language_code:
            return  # Telegram leaves it out at times: keep what was seen before
        language = language_from_hint(language_code)
        if self.client_languages.get(telegram_id) == language:
            return
        try:
            noted = await self.repo.remember_client_language(
                telegram_id, language, self.clock.now()
            )
        except DatabaseUnavailable as error:
            logger.info("app language of %d not noted this time: %s", telegram_id, error)
            return  # noted at a later update; the update itself goes on
        if noted:
            self.client_languages[telegram_id] = language

    # --- start-up and shut-down -------------------------------------------------------------

    async def start(self) -> None:
        """Start-up (after the database opens): resume deliveries once the bot is running."""
        await self.bot.initialize()
        self.starter = asyncio.get_running_loop().create_task(self.resume_when_running())

    async def resume_when_running(self) -> None:
        """Resume once the whole bot has started (every feature's start-up work done).

        Other start-up hooks (a knowledge index load, menu updates) would otherwise compete
        with the first seconds of a resumed delivery and disturb its pacing.
        """
        while not self.is_running():
            await asyncio.sleep(0.1)
        await self.resume()

    async def resume(self) -> None:
        """Resume interrupted deliveries, send or report missed notices, re-create jobs."""
        released = await self.outbox.release_in_flight()
        if released:
            logger.warning("%d notice sends were in flight at the last stop; resending", released)
        for notice in await self.repo.with_status("sending"):
            self.deliver(notice.id)
        now = self.clock.now()
        for notice in await self.repo.with_status("scheduled"):
            if notice.kind != "notice":  # confirmed just before a stop: start it now
                await self.actions.start(notice)
            elif notice.due_at is not None and notice.due_at <= now:
                await self.fire(notice.id, notice.due_at)
            else:
                self.schedule_job(notice)

    def begin_stop(self) -> None:
        """Take no new recipient in any delivery (the first thing a clean stop does)."""
        self.stopping = True
        for run in self.runs.values():
            run.stop()

    async def stop(self) -> None:
        """Clean stop: wait for the sends already made and record them; nothing stays in flight.

        What is left stays pending and is sent at the next start (not a resend: never sent).
        """
        self.begin_stop()
        if self.starter is not None:
            self.starter.cancel()
            await asyncio.gather(self.starter, return_exceptions=True)
        tasks = list(self.tasks.values())
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=STOP_GRACE + 5)
            for task in late:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if self.bulk is not None:
            await self.bulk.close()
        await self.bot.shutdown()

    # --- schedule ----------------------------------------------------------------------------

    async def confirm(self, notice_id: int, approver_id: int | None = None) -> Notice | None:
        """Schedule a draft (or an approved notice); start it at once when it is due."""
        expected: tuple[NoticeStatus, ...] = ("pending_approval",) if approver_id else ("draft",)
        if not await self.repo.move(notice_id, expected, "scheduled", approved_by=approver_id):
            return None
        notice = await self.repo.get(notice_id)
        assert notice is not None
        if notice.kind != "notice":
            await self.actions.start(notice)
        elif notice.due_at is None or notice.due_at <= self.clock.now():
            now = self.clock.now()
            due = notice.due_at or now
            if notice.due_at is None:
                await self.repo.move(notice_id, ("scheduled",), "scheduled", due_at=now)
            await self.fire(notice_id, due)
        else:
            self.schedule_job(notice)
        return await self.repo.get(notice_id)

    def schedule_job(self, notice: Notice) -> None:
        """(Re)create the job that fires the notice at its due time, with explicit grace."""
        queue = self.job_queue
        if queue is None or notice.due_at is None:
            return
        name = f"notice-{notice.id}"
        for job in queue.get_jobs_by_name(name):
            job.schedule_removal()
        queue.run_once(
            self._fire_job,
            when=notice.due_at,
            name=name,
            data=(notice.id, to_db(notice.due_at)),
            job_kwargs={"misfire_grace_time": int(self.settings.missed_grace.total_seconds())},
        )

    async def fire(self, notice_id: int, occurrence: datetime) -> int | None:
        """Start the delivery of one occurrence, or report it missed past the grace period."""
        notice = await self.repo.get(notice_id)
        if notice is None or notice.status != "scheduled" or notice.due_at != occurrence:
            return None
        now = self.clock.now()
        next_due = None
        if notice.recurrence:
            next_due = next_occurrence(
                notice.recurrence, max(now, occurrence), self.settings.timezone
            )
        if now - occurrence > self.settings.missed_grace:
            if notice.recurrence:
                await self.repo.move(notice.id, ("scheduled",), "scheduled", due_at=next_due)
                if next_due is None:
                    await self.repo.move(notice.id, ("scheduled",), "done", finished_at=now)
            else:
                await self.repo.move(notice.id, ("scheduled",), "missed", finished_at=now)
            language = await self.reports.language_of(notice)
            await self.reports.tell(
                notice,
                t(
                    language,
                    "notices.missed",
                    id=notice.id,
                    due=format_datetime(occurrence, self.settings.timezone, language),
                ),
            )
        else:
            delivery_id = await self.repo.start_delivery(
                notice, occurrence, next_due, now, self.settings.notice_channel
            )
            if delivery_id is None:
                return None
            self.deliver(delivery_id)
        refreshed = await self.repo.get(notice.id)
        if refreshed is not None and refreshed.status == "scheduled":
            self.schedule_job(refreshed)
        return notice.id

    async def cancel(self, notice_id: int) -> bool:
        """Cancel a scheduled notice, or stop its running delivery."""
        if not await self.repo.move(
            notice_id,
            ("draft", "pending_approval", "scheduled", "sending"),
            "cancelled",
            finished_at=self.clock.now(),
        ):
            return False
        if self.job_queue is not None:
            for job in self.job_queue.get_jobs_by_name(f"notice-{notice_id}"):
                job.schedule_removal()
        run = self.runs.get(notice_id)
        if run is not None:
            run.cancel()
        await self.close_approvals(notice_id, "notices.approval_closed_cancelled")
        return True

    async def close_approvals(self, notice_id: int, key: str, name: str = "") -> None:
        """Take Approve and Reject away from every approval request of a decided notice."""
        await close_approval_requests(self.messenger, self.stores.approvals, notice_id, key, name)

    # --- delivery ----------------------------------------------------------------------------

    def deliver(self, notice_id: int) -> asyncio.Task[None]:
        """Run (or resume) the delivery of a notice in the background."""
        if notice_id in self.tasks and not self.tasks[notice_id].done():
            return self.tasks[notice_id]
        if self.stopping:  # stopping: the next start resumes it
            return asyncio.get_running_loop().create_task(asyncio.sleep(0))
        task = asyncio.get_running_loop().create_task(self._deliver(notice_id))
        self.tasks[notice_id] = task
        task.add_done_callback(lambda _: self.tasks.pop(notice_id, None))
        return task

    async def _send(self, outbox: OutboxRows, recipient: Recipient) -> int | None:
        """Send (or edit, or delete) one copy; return the message id Telegram made.

        The copy carries the notice's text as it is now, and its row records that revision.
        """
        notice = self.live[outbox.key]
        outbox.revisions[recipient.person_id] = notice.revision
        acked = self.actions.acked(notice, recipient.person_id)
        method, params = copy_request(notice, recipient, acked=acked)
        return await post(self.bot, self.bulk, method, params)

    def _run(self, notice: Notice) -> DeliveryRun:
        """A paced run over the notice's outbox (delivery, follow-up, correction or recall)."""
        outbox = self.outbox.outbox.rows(notice.id, self.clock.now)
        self.live.setdefault(notice.id, notice)
        run = DeliveryRun(
            outbox,
            lambda recipient: self._send(outbox, recipient),
            self.limiter,
            self.clock,
            backoff=self.backoff,
            pause=self.pause,
            on_stuck=lambda error: self.reports.tell_stuck(notice, error),
        )
        self.runs[notice.id] = run
        return run

    async def _saved(self, notice: Notice, write: Callable[[], Awaitable[T]]) -> T:
        """Run a delivery's bookkeeping write, trying again while the database refuses it."""
        result = await waited_out(
            write, pause=self.pause, on_stuck=lambda error: self.reports.tell_stuck(notice, error)
        )
        return cast(T, result)

    async def _deliver(self, notice_id: int) -> None:
        notice = await self.repo.get(notice_id)
        if notice is None:
            return
        run = self._run(notice)
        reporter: asyncio.Task[None] | None = None
        try:
            language = await self.reports.language_of(notice)
            run.counts.update(await self.outbox.counts(notice_id))
            message_id = notice.progress_message_id or await self.reports.tell(
                notice, progress_text(notice, run, language)
            )
            if message_id and not notice.progress_message_id:
                await self._saved(
                    notice, lambda: self.repo.set_progress_message(notice_id, message_id)
                )
            reporter = asyncio.get_running_loop().create_task(
                self.reports.progress(notice, run, language, message_id)
            )
            await self.actions.prepare(notice)
            await run.run()
            while not run.cancelled.is_set() and not run.stopping.is_set():
                if not await self.actions.more_to_do(notice):
                    break
                run = self._run(notice)  # copies sent with the old text meanwhile
                await run.run()
            reporter.cancel()
            if run.stopping.is_set() and not run.cancelled.is_set():
                logger.info(
                    "delivery of notice %d paused by the stop; resumes at the next start", notice_id
                )
                return
            if run.cancelled.is_set() or (await self._status(notice_id)) == "cancelled":
                await self._saved(
                    notice, lambda: self.repo.move(notice_id, ("cancelled",), "cancelled")
                )
            else:
                finished = self.clock.now()
                await self._saved(
                    notice,
                    lambda: self.repo.move(notice_id, ("sending",), "done", finished_at=finished),
                )
            await self.reports.final_report(notice, run, language, message_id)
        except Exception:
            logger.exception("delivery of notice %d stopped", notice_id)
            raise
        finally:
            if reporter is not None:
                reporter.cancel()
            self.runs.pop(notice_id, None)
            self.live.pop(notice_id, None)
            self.reports.forget(notice_id)
            self.actions.done(notice)

    async def _fire_job(self, context: CallbackContext[Any, Any, Any, Any]) -> None:
        """A notice's job: fire it if its row still says it is scheduled for this time."""
        if context.job is None:
            return
        notice_id, due = cast(tuple[int, str], context.job.data)
        await self.fire(notice_id, from_db(due))

    async def _status(self, notice_id: int) -> str | None:
        notice = await self.repo.get(notice_id)
        return notice.status if notice else None


async def erase_recipient(tx: Transaction, person: Person, now: datetime) -> None:
    """/forgetme: nothing more is sent to the person, and no reach note is kept."""
    await forget_recipient(tx, person.id)
