"""What a meeting's messages show, read fresh: an invitation as it stands now, and the
secretariat's pages of a meeting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from telegram import InlineKeyboardMarkup

from bot.meetings import render
from bot.meetings.day_view import day_lines
from bot.meetings.minutes import minutes_lines
from storage.meeting_rows import Invitee, Meeting
from storage.people import Language

if TYPE_CHECKING:
    from bot.meetings.service import MeetingService

__all__ = ["MeetingViews"]


class MeetingViews:
    """Renders a meeting's invitation and pages from what is stored now."""

    def __init__(self, service: MeetingService) -> None:
        self.service = service

    async def invitation(
        self, meeting: Meeting, invitee: Invitee, language: Language
    ) -> tuple[str, InlineKeyboardMarkup]:
        """The invitation with the invitee's answer (and place on the waitlist) and buttons."""
        svc = self.service
        now = svc.now()
        position = (
            await svc.waitlist_position(meeting, invitee.person_id)
            if invitee.response == "yes"
            else None
        )
        text = render.invitation_text(
            meeting, invitee, language, svc.tz, now, waitlist_position=position
        )
        return text, render.invitation_keyboard(meeting, language, invitee.response, now)

    async def pages(self, meeting: Meeting, language: Language) -> list[str]:
        """The secretariat's view of the meeting: counts, the meeting day, everyone's answer."""
        svc = self.service
        tally = await svc.tally(meeting)
        room = await svc.day.room(meeting, tally)
        minutes = await minutes_lines(svc.minutes, meeting, language, svc.tz)
        extra = day_lines(room, await svc.lookup.proxies(meeting.id), minutes, language, svc.tz)
        return render.meeting_pages(meeting, tally, language, svc.tz, room, extra)
