"""Minutes: a document or text sent after a meeting through the notice delivery."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.i18n import Html, t
from bot.meetings.render import format_datetime
from bot.notices.compose import CAPTION_LIMIT, TEXT_LIMIT
from bot.notices.service import NoticeService
from storage.database import Database
from storage.meeting_minutes import MinutesAudience, MinutesRepository
from storage.meeting_rows import Meeting
from storage.notices import NoticeRepository
from storage.people import Language, Person

__all__ = ["MeetingMinutes", "MinutesContent", "minutes_lines"]


@dataclass(frozen=True)
class MinutesContent:
    """What the secretariat sent as minutes: HTML text, and a document's file id if any."""

    html: str
    document_id: str | None = None


class MeetingMinutes:
    """Drafts minutes as a notice and sends them through the notice delivery."""

    def __init__(
        self, db: Database, repo: MinutesRepository, notices: NoticeService, clock: Clock
    ) -> None:
        self.db = db
        self.repo = repo
        self.notices = notices
        self.clock = clock

    async def draft(
        self,
        meeting: Meeting,
        author: Person,
        chat_id: int,
        language: Language,
        content: MinutesContent,
    ) -> int | None:
        """Store the minutes as a draft notice headed in each language; None when too long."""
        texts = {
            lang: t(lang, "meeting_day.minutes_header", id=meeting.id, title=meeting.title)
            + (f"\n\n{content.html}" if content.html else "")
            for lang in ("zh", "en")
        }
        limit = CAPTION_LIMIT if content.document_id else TEXT_LIMIT
        if max(len(text) for text in texts.values()) > limit:
            return None
        notice = await NoticeRepository(self.db).create(
            author_person_id=author.id,
            author_chat_id=chat_id,
            author_language=language,
            audience="all",  # the outbox is written from the meeting's people, not by role
            language=None,
            category="official",
            text_zh=texts["zh"],
            text_en=texts["en"],
            media_kind="document" if content.document_id else None,
            media_file_id=content.document_id,
            due_at=None,
            recurrence=None,
            now=self.clock.now(),
        )
        return notice.id

    async def refusal(
        self, meeting: Meeting, audience: MinutesAudience
    ) -> Literal["not_open", "nobody"] | None:
        """Why the minutes of the meeting are not taken now: it is not open, or nobody would
        receive them; None when they are."""
        if meeting.status != "open":
            return "not_open"
        if await self.recipients(meeting, audience) == 0:
            return "nobody"
        return None

    async def recipients(self, meeting: Meeting, audience: MinutesAudience) -> int:
        """How many people the minutes would reach."""
        return await self.repo.recipients(meeting.id, audience)

    async def send(
        self, meeting: Meeting, notice_id: int, audience: MinutesAudience
    ) -> int | Literal["not_open", "already"]:
        """Start the paced, crash-safe delivery; the number of recipients, or why nothing
        starts: the meeting is no longer open (cancelled since the preview), or the minutes
        were sent already."""
        if meeting.status != "open":
            return "not_open"
        total = await self.repo.start(meeting.id, notice_id, audience, self.clock.now())
        if total is None:
            return "already"
        self.notices.deliver(notice_id)
        return total


async def minutes_lines(
    minutes: MeetingMinutes, meeting: Meeting, language: Language, tz: ZoneInfo
) -> list[str]:
    """One line per minutes sent for the meeting (for `/meeting ID`)."""
    return [
        t(
            language,
            "meeting_day.minutes_line",
            notice=m.notice_id,
            when=format_datetime(m.created_at, tz, language),
            audience=Html(t(language, f"meeting_day.minutes_to_{m.audience}")),
            sent=m.sent,
            total=m.total,
        )
        for m in await minutes.repo.sent_minutes(meeting.id)
    ]
