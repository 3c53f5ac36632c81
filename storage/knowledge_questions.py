"""Questions the documents did not cover, passed on to the secretariat, and their answers."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.database import Database, Transaction
from storage.timestamps import from_db, from_db_optional, to_db

__all__ = [
    "PassedQuestion",
    "Question",
    "QuestionRepository",
    "erase_questions_of",
    "export_questions_of",
]


@dataclass(frozen=True)
class Question:
    """A member's question and where it stands: offered, sent to the secretariat, answered."""

    id: int
    telegram_id: int
    language: str
    question: str
    status: str
    answer: str | None
    answered_by: int | None


@dataclass(frozen=True)
class PassedQuestion:
    """A question passed to the secretariat, who asked it, and the answer once given."""

    id: int
    asker: str
    language: str
    question: str
    asked_at: datetime
    answer: str | None
    answered_by: str | None
    answered_at: datetime | None

    @property
    def waiting(self) -> bool:
        """True while nobody has answered it."""
        return self.answer is None


def _question(row: sqlite3.Row) -> Question:
    """Build a Question from a row."""
    return Question(
        int(row["id"]),
        int(row["telegram_id"]),
        str(row["language"]),
        str(row["question"]),
        str(row["status"]),
        row["answer"],
        row["answered_by"],
    )


class QuestionRepository:
    """Stores relayed questions."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, telegram_id: int, language: str, question: str, now: datetime) -> int:
        """Record a question that could be passed on; return its id."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT INTO kb_questions (telegram_id, language, question, asked_at)"
                " VALUES (?, ?, ?, ?)",
                (telegram_id, language, question, to_db(now)),
            )
            return int(cursor.lastrowid or 0)

    async def get(self, question_id: int) -> Question | None:
        """Return one question."""
        row = await self._db.fetchone("SELECT * FROM kb_questions WHERE id = ?", (question_id,))
        return _question(row) if row else None

    async def mark_sent(self, question_id: int, telegram_id: int) -> bool:
        """Mark the asker's offered question as sent; False if it was not theirs or not offered."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE kb_questions SET status = 'sent'"
                " WHERE id = ? AND telegram_id = ? AND status = 'offered'",
                (question_id, telegram_id),
            )
            return bool(cursor.rowcount)

    async def answer(
        self, question_id: int, answer: str, answered_by: int, now: datetime
    ) -> Question | None:
        """Store the secretariat's answer to a sent question; None if it was already answered."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE kb_questions SET status = 'answered', answer = ?, answered_by = ?,"
                " answered_at = ? WHERE id = ? AND status = 'sent'",
                (answer, answered_by, to_db(now), question_id),
            )
            if not cursor.rowcount:
                return None
        return await self.get(question_id)

    async def mark_answered(self, question_id: int, answered_by: int, now: datetime) -> bool:
        """Record a sent question as answered outside the bot (an empty answer); False if it
        was not waiting."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE kb_questions SET status = 'answered', answer = '', answered_by = ?,"
                " answered_at = ? WHERE id = ? AND status = 'sent'",
                (answered_by, to_db(now), question_id),
            )
            return bool(cursor.rowcount)

    async def passed_to_secretariat(self, limit: int) -> list[PassedQuestion]:
        """Questions sent to the secretariat: waiting ones first (oldest first), then answered."""
        rows = await self._db.fetchall(
            f"{_PASSED} WHERE q.status IN ('sent', 'answered')"
            " ORDER BY q.status = 'answered', CASE WHEN q.status = 'sent' THEN q.id END,"
            " q.id DESC LIMIT ?",
            (limit,),
        )
        return [_passed(row) for row in rows]

    async def passed_one(self, question_id: int) -> PassedQuestion | None:
        """One question passed to the secretariat, or None (no such id, or never passed on)."""
        row = await self._db.fetchone(
            f"{_PASSED} WHERE q.id = ? AND q.status IN ('sent', 'answered')", (question_id,)
        )
        return _passed(row) if row else None

    async def waiting_count(self) -> int:
        """How many questions passed to the secretariat nobody has answered yet."""
        row = await self._db.fetchone("SELECT COUNT(*) FROM kb_questions WHERE status = 'sent'")
        return int(row[0]) if row else 0


_PASSED = (
    "SELECT q.id, q.language, q.question, q.asked_at, q.answer, q.answered_at,"
    " asker.name AS asker, helper.name AS helper FROM kb_questions q"
    " LEFT JOIN persons asker ON asker.telegram_id = q.telegram_id"
    " LEFT JOIN persons helper ON helper.id = q.answered_by"
)


def _passed(row: sqlite3.Row) -> PassedQuestion:
    """Build a PassedQuestion from a row of `_PASSED`."""
    return PassedQuestion(
        id=int(row["id"]),
        asker=row["asker"] or "",
        language=str(row["language"]),
        question=str(row["question"]),
        asked_at=from_db(row["asked_at"]),
        answer=row["answer"],
        answered_by=row["helper"],
        answered_at=from_db_optional(row["answered_at"]),
    )


async def export_questions_of(db: Database, telegram_id: int) -> list[dict[str, Any]]:
    """The questions a person passed to the secretariat, with the answers."""
    rows = await db.fetchall(
        "SELECT language, question, status, asked_at, answer, answered_at FROM kb_questions"
        " WHERE telegram_id = ? ORDER BY id",
        (telegram_id,),
    )
    return [dict(row) for row in rows]


async def erase_questions_of(tx: Transaction, telegram_id: int) -> None:
    """Delete the questions a person passed to the secretariat."""
    await tx.execute("DELETE FROM kb_questions WHERE telegram_id = ?", (telegram_id,))
