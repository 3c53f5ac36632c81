"""A new notice kept as a draft (until its author confirms it), with whom it would reach."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.notices.compose import Draft
from storage.notices import Notice, NoticeRepository
from storage.people import Language

__all__ = ["NoticeDrafts", "StoredDraft"]


@dataclass(frozen=True)
class StoredDraft:
    """The stored draft and its audience now, per reading language: (people, reachable)."""

    notice: Notice
    audience: dict[str, tuple[int, int]]


class NoticeDrafts:
    """Stores the drafts of new notices."""

    def __init__(self, repo: NoticeRepository, clock: Clock) -> None:
        self.repo = repo
        self.clock = clock

    async def store(
        self, draft: Draft, author_id: int, chat_id: int, language: Language
    ) -> StoredDraft:
        """Keep the draft in the database (its author's chat gets the reports)."""
        notice = await self.repo.create(
            author_person_id=author_id,
            author_chat_id=chat_id,
            author_language=language,
            audience=draft.audience,
            language=draft.language,
            category=draft.category,
            text_zh=draft.text_zh,
            text_en=draft.text_en,
            media_kind=draft.media_kind,
            media_file_id=draft.media_file_id,
            due_at=draft.due_at,
            recurrence=draft.recurrence,
            now=self.clock.now(),
            ack=draft.ack,
            channel=draft.channel,
        )
        return StoredDraft(notice, await self.repo.audience_by_language(notice))
