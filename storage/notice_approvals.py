"""Approval of notices: who can approve, and the approval requests sent (to close them later)."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Database
from storage.people import SPOKEN_LANGUAGE

__all__ = ["ApprovalRepository", "ApprovalRequest", "Approver"]


@dataclass(frozen=True)
class Approver:
    """A secretariat member who can be asked to approve a notice."""

    person_id: int
    chat_id: int
    language: str | None


@dataclass(frozen=True)
class ApprovalRequest:
    """An approval request sent to one secretariat member: where, and what it said."""

    person_id: int
    chat_id: int | None
    message_id: int
    language: str
    text: str


# The columns of notice_approval_requests, in the order of ApprovalRequest's fields.
_REQUEST_COLUMNS = "person_id, chat_id, message_id, language, text"


class ApprovalRepository:
    """Who can approve a notice, and the approval requests sent (to close them later)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def approvers(self, author_person_id: int | None) -> list[Approver]:
        """Every other secretariat member with a Telegram account the bot can write to."""
        rows = await self._db.fetchall(
            f"SELECT p.id, p.telegram_id, {SPOKEN_LANGUAGE} AS language FROM persons p"
            " LEFT JOIN notice_client_languages c ON c.person_id = p.id"
            " WHERE p.role = 'secretariat' AND p.telegram_id IS NOT NULL AND p.reachable = 1"
            " AND p.erased_at IS NULL AND p.id IS NOT ? ORDER BY p.id",
            (author_person_id,),
        )
        return [Approver(row["id"], row["telegram_id"], row["language"]) for row in rows]

    async def add_approval_request(self, notice_id: int, request: ApprovalRequest) -> None:
        """Remember an approval request message, to take its buttons away later."""
        async with self._db.transaction() as tx:
            await tx.execute(
                f"INSERT OR REPLACE INTO notice_approval_requests (notice_id, {_REQUEST_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    notice_id,
                    request.person_id,
                    request.chat_id,
                    request.message_id,
                    request.language,
                    request.text,
                ),
            )

    async def take_approval_requests(self, notice_id: int) -> list[ApprovalRequest]:
        """The notice's open approval requests, forgotten as they are returned (once only)."""
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                f"SELECT {_REQUEST_COLUMNS} FROM notice_approval_requests WHERE notice_id = ?"
                " ORDER BY person_id",
                (notice_id,),
            )
            await tx.execute(
                "DELETE FROM notice_approval_requests WHERE notice_id = ?", (notice_id,)
            )
        return [ApprovalRequest(*row) for row in rows]
