"""The meeting day's service: check-in links and QR codes, presence, and the room's quorum."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import segno

from bot.meetings.attendance import (
    CheckinPayload,
    RoomCount,
    checkin_link,
    checkin_state,
    new_checkin_code,
    room_count,
)
from bot.meetings.rules import Tally
from storage.meeting_attendance import AttendanceRepository, PresenceChange
from storage.meetings import Meeting

if TYPE_CHECKING:
    from bot.meetings.service import MeetingService

__all__ = ["CheckinOutcome", "MeetingDay"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckinOutcome:
    """What became of opening a check-in link.

    `status` is `recorded`, `already`, `unknown` (no such meeting), `wrong_code`,
    `other_meeting` (the code of meeting `other_id`), `cancelled`, `early` or `closed`.
    """

    status: str
    meeting: Meeting | None = None
    change: PresenceChange | None = None
    other_id: int | None = None


class MeetingDay:
    """Check-in, presence and the room's count for one meeting service."""

    def __init__(self, service: MeetingService) -> None:
        self.service = service

    @property
    def repo(self) -> AttendanceRepository:
        """The attendance repository."""
        return AttendanceRepository(self.service.app.bot_data.db)

    async def checkin_link(self, meeting: Meeting, bot_username: str) -> tuple[str, bytes]:
        """The meeting's check-in link (its code made on first use) and the link as a QR PNG."""
        code = meeting.checkin_code or await self.repo.set_checkin_code(
            meeting.id, new_checkin_code()
        )
        link = checkin_link(bot_username, meeting.id, code)
        buffer = io.BytesIO()
        segno.make(link, error="m").save(buffer, kind="png", scale=10, border=4)
        return link, buffer.getvalue()

    async def check_in(self, payload: CheckinPayload, person_id: int) -> CheckinOutcome:
        """Record the person who opened a check-in link present, or say why not."""
        meeting = await self.service.repo.get(payload.meeting_id)
        if meeting is None or meeting.status == "draft":
            return CheckinOutcome("unknown")
        if meeting.checkin_code is None or payload.code != meeting.checkin_code:
            other = await self.repo.meeting_of_code(payload.code)
            if other is not None and other != meeting.id:
                return CheckinOutcome("other_meeting", meeting, other_id=other)
            return CheckinOutcome("wrong_code", meeting)
        if meeting.status == "cancelled":
            return CheckinOutcome("cancelled", meeting)
        state = checkin_state(meeting, self.service.now())
        if state != "open":
            return CheckinOutcome(state, meeting)
        change = await self.repo.record_presence(meeting.id, person_id, self.service.now())
        if change.created:
            self.service.summary_changed(meeting.id)
        return CheckinOutcome("recorded" if change.created else "already", meeting, change)

    async def set_present(
        self, meeting: Meeting, person_id: int, present: bool, recorded_by: int
    ) -> bool:
        """The secretariat records someone present (or undoes it); True when it changed."""
        if present:
            changed = (
                await self.repo.record_presence(
                    meeting.id, person_id, self.service.now(), recorded_by
                )
            ).created
        else:
            changed = await self.repo.remove_presence(meeting.id, person_id)
        if changed:
            self.service.summary_changed(meeting.id)
        return changed

    async def room(self, meeting: Meeting, tally: Tally) -> RoomCount | None:
        """The room's count from check-in opening on (or once anyone is recorded present)."""
        presence = await self.repo.presence(meeting.id)
        if not presence and checkin_state(meeting, self.service.now()) == "early":
            return None
        return room_count(meeting, tally, presence, await self.repo.proxies(meeting.id))
