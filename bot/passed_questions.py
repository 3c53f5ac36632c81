"""The secretariat's list of questions passed to it: waiting ones first, then answered."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.i18n import format_datetime, t
from storage.knowledge_questions import PassedQuestion, QuestionRepository
from storage.people import Language

__all__ = [
    "ANSWERED_SHOWN",
    "WAITING_SHOWN",
    "QuestionsScreen",
    "question_screen",
    "questions_screen",
]

WAITING_SHOWN = 10  # each with its two buttons; the rest are counted
ANSWERED_SHOWN = 5  # the latest answered
SNIPPET = 160  # characters of a question in the list; /questions ID shows it whole


@dataclass(frozen=True)
class QuestionsScreen:
    """A message's text and its buttons as (label, callback data) rows."""

    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _lines(
    question: PassedQuestion, language: Language, timezone: ZoneInfo, limit: int
) -> list[str]:
    """A question: who asked and when, its text, and its state (with the answer when given)."""
    asker = question.asker or t(language, "questions.someone")
    lines = [
        t(
            language,
            "questions.waiting_line" if question.waiting else "questions.answered_line",
            id=question.id,
            asker=asker,
            when=format_datetime(question.asked_at, timezone, language),
        ),
        t(language, "questions.text", question=_short(question.question, limit)),
    ]
    if not question.waiting:
        helper = question.answered_by or t(language, "questions.someone")
        when = (
            format_datetime(question.answered_at, timezone, language)
            if question.answered_at
            else ""
        )
        if question.answer:
            lines.append(
                t(
                    language,
                    "questions.answer",
                    helper=helper,
                    when=when,
                    answer=_short(question.answer, limit),
                )
            )
        else:
            lines.append(t(language, "questions.answered_elsewhere", helper=helper, when=when))
    return lines


def _buttons(
    question: PassedQuestion, language: Language, alone: bool = False
) -> tuple[tuple[str, str], ...]:
    """Answer (the relay's reply form) and Mark answered (`:one` when shown on its own)."""
    done = f"kbq:done:{question.id}" + (":one" if alone else "")
    return (
        (t(language, "questions.reply_button", id=question.id), f"kbq:reply:{question.id}"),
        (t(language, "questions.done_button", id=question.id), done),
    )


async def questions_screen(
    repo: QuestionRepository, language: Language, timezone: ZoneInfo
) -> QuestionsScreen:
    """`/questions`: the waiting questions (oldest first) with buttons, then the latest answered."""
    waiting_total = await repo.waiting_count()
    shown = await repo.passed_to_secretariat(min(waiting_total, WAITING_SHOWN) + ANSWERED_SHOWN)
    if not shown:
        return QuestionsScreen(t(language, "questions.none"))
    waiting = [q for q in shown if q.waiting][:WAITING_SHOWN]
    answered = [q for q in shown if not q.waiting][:ANSWERED_SHOWN]
    parts = [t(language, "questions.title", waiting=waiting_total)]
    for question in waiting:
        parts.append("\n".join(_lines(question, language, timezone, SNIPPET)))
    if waiting_total > len(waiting):
        parts.append(t(language, "questions.more_waiting", n=waiting_total - len(waiting)))
    if answered:
        parts.append(t(language, "questions.answered_title"))
        parts.extend("\n".join(_lines(q, language, timezone, SNIPPET)) for q in answered)
    parts.append(t(language, "questions.hint"))
    return QuestionsScreen("\n\n".join(parts), tuple(_buttons(q, language) for q in waiting))


async def question_screen(
    repo: QuestionRepository, question_id: int, language: Language, timezone: ZoneInfo
) -> QuestionsScreen | None:
    """`/questions ID`: one question in full, with its buttons while it waits; None if unknown."""
    question = await repo.passed_one(question_id)
    if question is None:
        return None
    text = "\n".join(_lines(question, language, timezone, 3000))
    buttons = (_buttons(question, language, alone=True),) if question.waiting else ()
    return QuestionsScreen(text, buttons)
