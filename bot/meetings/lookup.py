"""Finding meetings and invitations for the chat, and the files a meeting produces."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.meetings.files import attendance_csv, ics_event, rsvp_csv
from bot.meetings.stores import MeetingStores
from storage.meeting_attendance import Proxy
from storage.meeting_rows import Invitee, Meeting
from storage.people import Person, Role

__all__ = ["MeetingLookup"]


class MeetingLookup:
    """Read-only questions about meetings, asked by handlers, jobs and the console alike."""

    def __init__(self, stores: MeetingStores, clock: Clock, timezone: ZoneInfo) -> None:
        self._meetings = stores.meetings
        self._answers = stores.answers
        self._attendance = stores.attendance
        self._clock = clock
        self._timezone = timezone

    def _now(self) -> datetime:
        return self._clock.now()

    async def get(self, meeting_id: int) -> Meeting | None:
        """The meeting with this id, in any state (drafts included)."""
        return await self._meetings.get(meeting_id)

    async def published(self, meeting_id: int) -> Meeting | None:
        """The meeting with this id once confirmed (open or cancelled); None for a draft."""
        meeting = await self._meetings.get(meeting_id)
        return meeting if meeting is not None and meeting.status != "draft" else None

    async def open_meetings(self) -> list[Meeting]:
        """The open meetings that have not started yet, soonest first."""
        return await self._meetings.list_open(self._now())

    async def invitee(self, meeting_id: int, person_id: int) -> Invitee | None:
        """The person's invitation to the meeting, if invited."""
        return await self._meetings.invitee(meeting_id, person_id)

    async def invitation_for_account(
        self, meeting_id: int, telegram_id: int
    ) -> tuple[Meeting, Invitee] | None:
        """The meeting and the invitation of the person bound to this Telegram account."""
        return await self._meetings.invitation_for_account(meeting_id, telegram_id)

    async def upcoming_for(self, person_id: int) -> list[tuple[Meeting, Invitee]]:
        """The person's upcoming meetings, each with their invitation."""
        return await self._meetings.meetings_of(person_id, self._now())

    async def proxies(self, meeting_id: int) -> list[Proxy]:
        """Who entrusted whom for the meeting."""
        return await self._attendance.proxies(meeting_id)

    async def is_invite_code(self, text: str) -> bool:
        """Whether the text is an unused personal invite code (one may look like a check-in)."""
        return await self._attendance.is_invite_code(text)

    async def answers_file(self, meeting: Meeting) -> bytes:
        """The meeting's answers as CSV."""
        invitees = await self._meetings.invitees(meeting.id)
        return rsvp_csv(meeting, invitees, await self._answers.seated(meeting))

    async def attendance_file(self, meeting: Meeting) -> bytes:
        """Who was present (with proxies and walk-ins) as CSV."""
        return attendance_csv(
            meeting,
            await self._meetings.invitees(meeting.id),
            await self._attendance.presence(meeting.id),
            await self._attendance.proxies(meeting.id),
            self._timezone,
        )

    async def calendar_for(self, meeting_id: int, person: Person) -> tuple[Meeting, bytes] | None:
        """The meeting as an .ics event, for the secretariat or someone invited; else None."""
        meeting = await self.published(meeting_id)
        if meeting is None:
            return None
        invited = await self._meetings.invitee(meeting.id, person.id) is not None
        if not invited and not person.role.at_least(Role.SECRETARIAT):
            return None
        return meeting, ics_event(meeting, self._now())
