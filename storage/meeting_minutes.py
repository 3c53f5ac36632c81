"""Minutes of meetings: a notice whose outbox is the meeting's invitees (or those present)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from storage.database import Database
from storage.people import SPOKEN_LANGUAGE, SPOKEN_LANGUAGE_JOIN
from storage.timestamps import from_db, to_db

__all__ = ["MinutesAudience", "MinutesRepository", "SentMinutes"]

MinutesAudience = Literal["invited", "present"]


@dataclass(frozen=True)
class SentMinutes:
    """Minutes sent for a meeting: the notice carrying them, to whom, when, how far."""

    notice_id: int
    audience: MinutesAudience
    created_at: datetime
    status: str
    total: int
    sent: int


# Who receives the minutes: everyone invited, or everyone recorded present (walk-ins too).
_AUDIENCE_FROM = {
    "invited": "invitations x",
    "present": "meeting_attendance x",
}


class MinutesRepository:
    """Starts the delivery of minutes and lists the minutes of a meeting."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def recipients(self, meeting_id: int, audience: MinutesAudience) -> int:
        """How many people the minutes would go to."""
        row = await self._db.fetchone(
            f"SELECT COUNT(*) FROM {_AUDIENCE_FROM[audience]} JOIN persons p ON p.id = x.person_id"
            " WHERE x.meeting_id = ? AND p.erased_at IS NULL",
            (meeting_id,),
        )
        return int(row[0]) if row else 0

    async def start(
        self, meeting_id: int, notice_id: int, audience: MinutesAudience, now: datetime
    ) -> int | None:
        """Turn the draft notice into a delivery to the meeting's people, atomically.

        The outbox rows are written in the same transaction as the status change, so a crash
        either leaves a draft (nothing sent) or a delivery the notice service resumes. Returns
        the number of recipients, or None when the notice is no longer a draft (a second tap).
        """
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE notices SET status = 'sending', started_at = ? WHERE id = ?"
                " AND status = 'draft'",
                (to_db(now), notice_id),
            )
            if cursor.rowcount != 1:
                return None
            cursor = await tx.execute(
                "INSERT INTO notice_outbox (notice_id, person_id, chat_id, language, state,"
                " reason, updated_at)"
                f" SELECT ?, p.id, p.telegram_id, {SPOKEN_LANGUAGE},"
                " CASE WHEN p.telegram_id IS NULL THEN 'never_started'"
                "      WHEN p.reachable = 0 THEN COALESCE(u.state, 'blocked') ELSE 'pending' END,"
                " CASE WHEN p.telegram_id IS NULL OR p.reachable = 0 THEN 'skipped: unreachable'"
                "      ELSE '' END, ?"
                f" FROM {_AUDIENCE_FROM[audience]} JOIN persons p ON p.id = x.person_id"
                f" {SPOKEN_LANGUAGE_JOIN}"
                " LEFT JOIN notice_unreachable u ON u.person_id = p.id"
                " WHERE x.meeting_id = ? AND p.erased_at IS NULL",
                (notice_id, to_db(now), meeting_id),
            )
            total = max(cursor.rowcount, 0)
            await tx.execute("UPDATE notices SET total = ? WHERE id = ?", (total, notice_id))
            await tx.execute(
                "INSERT INTO meeting_minutes (meeting_id, notice_id, audience, created_at)"
                " VALUES (?, ?, ?, ?)",
                (meeting_id, notice_id, audience, to_db(now)),
            )
        return total

    async def sent_minutes(self, meeting_id: int) -> list[SentMinutes]:
        """The minutes sent for a meeting, oldest first, with how many were delivered."""
        rows = await self._db.fetchall(
            "SELECT m.notice_id, m.audience, m.created_at, n.status, n.total,"
            " (SELECT COUNT(*) FROM notice_outbox o WHERE o.notice_id = m.notice_id"
            "  AND o.state = 'sent') AS sent"
            " FROM meeting_minutes m JOIN notices n ON n.id = m.notice_id"
            " WHERE m.meeting_id = ? ORDER BY m.created_at, m.notice_id",
            (meeting_id,),
        )
        return [
            SentMinutes(
                row["notice_id"],
                row["audience"],
                from_db(row["created_at"]),
                row["status"],
                row["total"],
                row["sent"],
            )
            for row in rows
        ]
