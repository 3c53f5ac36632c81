"""Reading the documents: the mission page, the chapters of the Articles, inline sharing."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import language_from_hint
from bot.knowledge.service import KnowledgeBase
from storage.articles import Chapter, Entry, KnowledgeRepository
from storage.database import Database
from storage.people import Language, PeopleRepository

__all__ = ["ChapterList", "KnowledgeReading", "Shared"]


@dataclass(frozen=True)
class ChapterList:
    """The Articles' title in the reader's language and its chapters."""

    title: str
    chapters: list[Chapter]


@dataclass(frozen=True)
class Shared:
    """What an inline query offers to share: the entries, in the language of the asker."""

    language: Language
    entries: list[Entry]


class KnowledgeReading:
    """The pages a reader browses, on top of the knowledge base."""

    def __init__(self, db: Database, knowledge: KnowledgeBase) -> None:
        self.documents = KnowledgeRepository(db)
        self.people = PeopleRepository(db)
        self.knowledge = knowledge

    async def mission(self, language: Language) -> list[Entry]:
        """The mission page's sections in the reader's language, else in any language."""
        entries = await self.documents.current_entries("mission", language)
        return entries or await self.documents.current_entries("mission")

    async def chapters(self, language: Language) -> ChapterList:
        """The current Articles' title and chapters in the reader's language."""
        document = await self.documents.current_document("articles", language)
        chapters = await self.documents.chapters(language)
        return ChapterList(document.title if document else "", chapters)

    async def chapter(self, language: Language, number: int) -> list[Entry]:
        """The articles of one chapter, in order."""
        return await self.documents.chapter_articles(language, number)

    async def shared(
        self, telegram_id: int, language_hint: str | None, text: str, limit: int
    ) -> Shared:
        """The entries an inline query offers, in the asker's language (none if uncovered)."""
        person = await self.people.get_by_telegram_id(telegram_id)
        language = (person.language if person else None) or language_from_hint(language_hint)
        result = await self.knowledge.search(text, language, limit=limit)
        return Shared(language, [m.entry for m in result.matches] if result.covered else [])
