"""The meeting service: invite, record answers, remind, move, cancel; used by handlers and jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from telegram.error import TelegramError
from telegram.ext import JobQueue

from bot.clock import Clock
from bot.config import Settings
from bot.delivery_engine import STOP_GRACE
from bot.i18n import t
from bot.meetings.by_hand import ByHandEntries
from bot.meetings.lookup import MeetingLookup
from bot.meetings.meeting_day import MeetingDay
from bot.meetings.minutes import MeetingMinutes
from bot.meetings.reasons import NoReasons
from bot.meetings.redraws import InvitationRedraws
from bot.meetings.reminders import ReminderJobs
from bot.meetings.render import summary_keyboard
from bot.meetings.rounds import MeetingRounds
from bot.meetings.rules import (
    AUDIENCE_ROLES,
    MAX_PLACE,
    Delivery,
    Move,
    Opening,
    Rsvp,
    Tally,
    TapRefusal,
    TapResult,
    may_remind,
    moved_deadline,
    reminder_times,
    tally,
    tap_refusal,
)
from bot.meetings.stores import MeetingStores
from bot.meetings.summary import SUMMARY_EDIT_INTERVAL, SummaryEdits
from bot.meetings.views import MeetingViews
from bot.messaging import Messenger
from bot.notices.pacing import SmoothLimiter
from storage.database import Database
from storage.meeting_answers import AnswerChange
from storage.meeting_rows import Invitee, Meeting, NewMeeting, Response, RoundKind
from storage.people import Language, PeopleRepository, Person

__all__ = ["SUMMARY_EDIT_INTERVAL", "Delivery", "MeetingService", "summary_keyboard"]

logger = logging.getLogger(__name__)


def language_of(person: Person | Invitee) -> Language:
    """The language to write to a person in (storage.people.SPOKEN_LANGUAGE)."""
    return person.spoken_language if isinstance(person, Person) else person.language


class MeetingService:
    """Meetings: invitations, answers, reminders and summaries, on one bot and database."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        settings: Settings,
        messenger: Messenger,
        job_queue: JobQueue[Any] | None,
        stores: MeetingStores,
        minutes: MeetingMinutes,
        limiter: SmoothLimiter | None = None,
    ) -> None:
        self.db = db
        self.repo = stores.meetings
        self.answers = stores.answers
        self.minutes = minutes
        # Reminder rounds share the broadcast rate with notice deliveries.
        self.limiter = limiter or SmoothLimiter(settings.broadcast_rate)
        self.clock = clock
        self.settings = settings
        self.messenger = messenger
        self.job_queue = job_queue
        self.send_interval = 1 / max(settings.broadcast_rate, 1)
        self.rounds = MeetingRounds(self, stores.rounds)
        self.reminders = ReminderJobs(self, stores.reminders)
        self.redraws = InvitationRedraws(self)
        self.summary = SummaryEdits(self)
        self.reasons = NoReasons(stores.answers, messenger, self.summary_changed)
        self.views = MeetingViews(self)
        self.day = MeetingDay(self, stores.attendance)
        self.lookup = MeetingLookup(stores, clock, settings.timezone)
        self.by_hand = ByHandEntries(
            stores=stores,
            people=PeopleRepository(db),
            clock=clock,
            answer=self.answer,
            set_present=self.day.set_present,
        )
        self._resumer: asyncio.Task[int] | None = None

    @property
    def tz(self) -> Any:
        """The association's time zone."""
        return self.settings.timezone

    def now(self) -> datetime:
        """The current time."""
        return self.clock.now()

    async def audience(self, audience: str) -> list[Person]:
        """The roster entries a meeting of this audience invites."""
        return await PeopleRepository(self.db).list_by_roles(AUDIENCE_ROLES[audience])

    async def tally(self, meeting: Meeting) -> Tally:
        """The meeting's answers grouped, with the quorum line."""
        invitees = await self.repo.invitees(meeting.id)
        return tally(meeting, invitees, await self.answers.seated(meeting))

    async def waitlist_position(self, meeting: Meeting, person_id: int) -> int | None:
        """Where a Yes stands on the waitlist (None when seated or without a capacity)."""
        if not meeting.capacity:
            return None
        seated = await self.answers.seated(meeting)
        if person_id not in seated or seated.index(person_id) < meeting.capacity:
            return None
        return seated.index(person_id) - meeting.capacity + 1

    # Sending ---------------------------------------------------------------------------------

    async def _send(self, chat_id: int, text: str, markup: Any = None) -> int | None:
        """Send one message; the message id, or None if Telegram refuses the chat."""
        message = await self.messenger.send(chat_id, text, markup)
        return message.message_id if message is not None else None

    async def _each(
        self, invitees: list[Invitee], send: Callable[[Invitee], Awaitable[int | None]]
    ) -> Delivery:
        """Send to each reachable invitee, one after another."""
        sent = unreachable = failed = 0
        for invitee in invitees:
            if invitee.telegram_id is None or invitee.delivery == "unreachable":
                unreachable += 1
                continue
            try:
                message_id = await send(invitee)
            except TelegramError:
                logger.warning("could not message person %s", invitee.person_id, exc_info=True)
                failed += 1
                continue
            if message_id is None:
                unreachable += 1
            else:
                sent += 1
            if self.send_interval:
                await asyncio.sleep(self.send_interval)
        return Delivery(sent, unreachable, failed)

    async def tell(self, invitees: list[Invitee], key: str, **values: Any) -> Delivery:
        """Send every reachable invitee one catalog message in their language."""

        async def send(invitee: Invitee) -> int | None:
            assert invitee.telegram_id is not None
            return await self._send(invitee.telegram_id, t(language_of(invitee), key, **values))

        return await self._each(invitees, send)

    # Life cycle ------------------------------------------------------------------------------

    async def create_draft(self, new: NewMeeting, creator: Person) -> Meeting:
        """Store the meeting as a draft awaiting Confirm."""
        return await self.repo.create_draft(new, creator.id, self.now())

    async def confirm(self, meeting_id: int) -> Opening | None:
        """Open a draft: invite its audience and schedule its reminders (the invitations go
        out with `send_invitations`); None unless it is a draft awaiting Confirm."""
        meeting = await self.repo.get(meeting_id)
        if meeting is None or meeting.status != "draft":
            return None
        people = await self.audience(meeting.audience)
        reachable = {p.id for p in people if p.telegram_id is not None}
        now = self.now()
        async with self.db.transaction() as tx:
            if not await self.repo.open_draft(tx, meeting, [p.id for p in people], reachable, now):
                return None
            round_id = await self.rounds.repo.insert_invitations(tx, meeting.id, "invitation", now)
        await self.reminders.repo.replace_reminders(
            meeting.id, reminder_times(meeting.starts_at, meeting.deadline), now
        )
        await self.reminders.schedule(meeting.id)
        opened = await self.repo.get(meeting.id)
        assert opened is not None
        return Opening(opened, round_id)

    async def send_invitations(self, opening: Opening) -> Delivery:
        """Send the invitations of a meeting just opened, paced; how it went."""
        return await self.rounds.run(opening.round_id)

    async def answer_tap(self, telegram_id: int, rsvp: Rsvp) -> TapResult:
        """An invitee's Yes / No / Maybe button: recorded only when `tap_refusal` allows it."""
        found = await self.repo.invitation_for_account(rsvp.meeting_id, telegram_id)
        if found is None:
            return TapResult(refusal=TapRefusal.FORGED)
        meeting, invitee = found
        refusal = tap_refusal(meeting, rsvp, self.now())
        if refusal is not None:
            return TapResult(meeting, invitee, refusal=refusal)
        change = await self.answer(meeting, invitee.person_id, rsvp.response, version=rsvp.version)
        if change is None:
            return TapResult(meeting, invitee, refusal=TapRefusal.FORGED)
        return TapResult(meeting, invitee, change)

    async def answer(
        self,
        meeting: Meeting,
        person_id: int,
        response: Response,
        *,
        version: int | None = None,
        set_by: int | None = None,
    ) -> AnswerChange | None:
        """Record an answer; tell anyone promoted off the waitlist; refresh the summary."""
        change = await self.answers.answer(
            meeting, person_id, response, self.now(), set_by=set_by, version=version
        )
        if change is None or not change.changed:
            return change
        for promoted in change.promoted:
            invitee = await self.repo.invitee(meeting.id, promoted)
            if invitee is not None and invitee.telegram_id is not None:
                try:
                    await self._send(
                        invitee.telegram_id,
                        t(
                            language_of(invitee),
                            "meetings.promoted",
                            id=meeting.id,
                            title=meeting.title,
                        ),
                    )
                except TelegramError:
                    logger.warning("could not tell person %s of the free seat", promoted)
        await self.day.answer_changed(meeting, person_id)
        self.summary_changed(meeting.id)
        return change

    def start_resuming_deliveries(self) -> None:
        """Resume interrupted deliveries in the background (start-up must not wait on them)."""

        async def resume() -> int:
            try:
                return await self.rounds.resume()
            except Exception:
                logger.exception("could not resume the invitations and reminders")
                return 0

        self._resumer = asyncio.get_running_loop().create_task(resume())

    def begin_stop(self) -> None:
        """A clean stop's first step: rounds of invitations and reminders take no new recipient."""
        self.rounds.begin_stop()

    async def stop_background(self) -> None:
        """Shut-down: rounds record their sends in flight (the rest waits for the next start);
        resuming stops (rows stay pending for next time); what is queued is redrawn."""
        self.begin_stop()
        await self.rounds.wait_stopped(STOP_GRACE + 1)
        if self._resumer is not None and not self._resumer.done():
            self._resumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._resumer
        await self.flush()

    @staticmethod
    def may_cancel(meeting: Meeting) -> bool:
        """Only an open meeting can be cancelled."""
        return meeting.status == "open"

    async def cancel(self, meeting: Meeting) -> Delivery | None:
        """Cancel an open meeting and tell everyone invited, once; None when it is not open."""
        if not self.may_cancel(meeting):
            return None
        now = self.now()
        async with self.db.transaction() as tx:
            cancelled = await self.repo.cancel(tx, meeting, now)
            if cancelled:
                await self.reminders.repo.skip_pending(tx, meeting.id, now)
        if not cancelled:
            return None
        self.reminders.drop(meeting.id)
        self.summary_changed(meeting.id)
        return await self.tell(
            await self.repo.invitees(meeting.id),
            "meetings.cancelled_notice",
            id=meeting.id,
            title=meeting.title,
        )

    async def move(self, meeting: Meeting, starts_at: datetime, place: str) -> Move:
        """Move an open meeting to a time ahead (or another place): reset answers, tell
        everyone once and ask them to answer again."""
        now = self.now()
        if starts_at <= now:
            return Move(refusal="past")
        if starts_at == meeting.starts_at and place == meeting.place:
            return Move(refusal="unchanged")
        if meeting.status != "open":
            return Move(refusal="not_open")
        deadline = moved_deadline(meeting, starts_at, now)
        async with self.db.transaction() as tx:
            if not await self.repo.move(tx, meeting, starts_at, place[:MAX_PLACE], deadline, now):
                return Move(refusal="not_open")
            round_id = await self.rounds.repo.insert_invitations(tx, meeting.id, "moved", now)
        moved = await self.repo.get(meeting.id)
        assert moved is not None
        await self.reminders.repo.replace_reminders(
            moved.id, reminder_times(moved.starts_at, moved.deadline), now
        )
        self.reminders.drop(moved.id)
        await self.reminders.schedule(moved.id)
        self.summary_changed(moved.id)
        return Move(moved, await self.rounds.run(round_id))

    async def remind(self, meeting: Meeting, kind: RoundKind) -> Delivery | None:
        """Nudge non-responders (`deadline`) or remind the seated Yes (`start`), now;
        None when the meeting is no longer open or has started."""
        if not may_remind(meeting, self.now()):
            return None
        return await self.reminders.remind(meeting, kind) or Delivery()

    # The creator's summary and the invitations' redraws ----------------------------------

    def summary_changed(self, meeting_id: int) -> None:
        """Ask for the creator's summary to be edited (see `SummaryEdits`)."""
        self.summary.changed(meeting_id)

    async def refresh_summary(self, meeting_id: int) -> None:
        """Edit the creator's summary message to the current counts now."""
        await self.summary.refresh(meeting_id)

    def invitation_changed(
        self,
        meeting_id: int,
        person_id: int,
        chat_id: int,
        message_id: int | None,
        *,
        ask_reason: bool = False,
    ) -> None:
        """Queue the redraw of an invitation after a tap (see `InvitationRedraws`)."""
        self.redraws.queue(meeting_id, person_id, chat_id, message_id, ask_reason=ask_reason)

    async def flush(self) -> None:
        """Redraw every queued invitation now (tests, shut-down)."""
        await self.redraws.flush()

    async def attach_summary(
        self, meeting_id: int, chat_id: int, message_id: int, language: Language
    ) -> None:
        """The message that shows the creator the live counts (edited on every change)."""
        await self.repo.set_summary_message(meeting_id, chat_id, message_id, language)
