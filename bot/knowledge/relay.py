"""Questions the documents do not cover: offered to the asker, passed on, answered.

A question is `offered` when the bot could not answer it (the asker gets a button), `sent`
once the asker passes it to the secretariat (only the asker, only once), and `answered` by
the first secretariat member who answers it (through the bot, or marked answered). Every
move is one conditional statement, so two taps or two answers act once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import t
from bot.messaging import Messenger
from bot.passed_questions import QuestionsScreen, question_screen, questions_screen
from storage.database import Database
from storage.knowledge_questions import Question, QuestionRepository
from storage.people import Language, PeopleRepository, Person

__all__ = ["RELAY_CALLBACK", "Asker", "QuestionRelay", "ReplyOutcome"]

RELAY_CALLBACK = "kbq"  # kbq:send:<id> (the asker), kbq:reply:<id> (the secretariat)


class ReplyOutcome(StrEnum):
    """How an answer of the secretariat ended (the value is the text's key for the answerer)."""

    ALREADY_ANSWERED = "knowledge.relay_already"
    UNREACHABLE = "knowledge.relay_unreachable"
    DELIVERED = "knowledge.relay_delivered"


@dataclass(frozen=True)
class Asker:
    """Who asks: their Telegram account and the language they read."""

    telegram_id: int
    language: Language


class QuestionRelay:
    """Uncovered questions, from the asker's offer to the secretariat's answer."""

    def __init__(
        self, *, db: Database, clock: Clock, settings: Settings, messenger: Messenger
    ) -> None:
        self.questions = QuestionRepository(db)
        self.people = PeopleRepository(db)
        self.clock = clock
        self.settings = settings
        self.messenger = messenger

    async def offer(self, asker: Asker, question: str) -> int:
        """Record an uncovered question the asker may pass on; return its id."""
        return await self.questions.add(
            asker.telegram_id, asker.language, question, self.clock.now()
        )

    async def pass_on(
        self, question_id: int, asker: Person, accepted: Callable[[], Awaitable[object]]
    ) -> bool:
        """Send the asker's own offered question to every reachable secretariat member, once.

        False (nothing sent) when it is not theirs or was passed on already; else `accepted`
        is awaited first (the asker's tap is answered before the sends).
        """
        if not await self.questions.mark_sent(question_id, asker.telegram_id or 0):
            return False
        await accepted()
        question = await self.questions.get(question_id)
        assert question is not None
        for chat_id in await self.people.secretariat_chat_ids():
            member = await self.people.get_by_telegram_id(chat_id)
            language = member.spoken_language if member else "zh"
            text = t(
                language,
                "knowledge.relay_incoming",
                name=asker.name or f"#{asker.id}",
                question=question.question,
            )
            button = InlineKeyboardButton(
                t(language, "knowledge.relay_reply_button"),
                callback_data=f"{RELAY_CALLBACK}:reply:{question_id}",
            )
            await self.messenger.send(chat_id, text, InlineKeyboardMarkup([[button]]))
        return True

    async def waiting_for_answer(self, question_id: int) -> Question | None:
        """The question if it waits for the secretariat's answer (passed on, not answered)."""
        question = await self.questions.get(question_id)
        return question if question is not None and question.status == "sent" else None

    async def reply(self, question_id: int, answer: str, answerer_id: int) -> ReplyOutcome:
        """Store the answer (the first one wins) and send it to the asker."""
        answered = await self.questions.answer(question_id, answer, answerer_id, self.clock.now())
        if answered is None:
            return ReplyOutcome.ALREADY_ANSWERED
        text = t(
            "zh" if answered.language == "zh" else "en",
            "knowledge.relay_answer",
            question=answered.question,
            answer=answered.answer or "",
        )
        if await self.messenger.send(answered.telegram_id, text) is None:
            return ReplyOutcome.UNREACHABLE
        return ReplyOutcome.DELIVERED

    async def mark_answered(self, question_id: int, answerer_id: int) -> bool:
        """Record a waiting question as answered outside the bot; False if it was not waiting."""
        return await self.questions.mark_answered(question_id, answerer_id, self.clock.now())

    async def screen(self, language: Language, question_id: int | None = None) -> QuestionsScreen:
        """`/questions` (the list) or `/questions ID` (one in full)."""
        timezone = self.settings.timezone
        if question_id is None:
            return await questions_screen(self.questions, language, timezone)
        one = await question_screen(self.questions, question_id, language, timezone)
        return one or QuestionsScreen(t(language, "questions.unknown", id=question_id))
