"""Receipts of notices: a member's "Received / 收到" tap, and who has not confirmed yet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.database import Database
from storage.outbox import CHANNEL_PERSON
from storage.timestamps import from_db, to_db

__all__ = ["Receipt", "ReceiptRepository", "Unconfirmed"]


@dataclass(frozen=True)
class Receipt:
    """A member's "Received" tap: when, and whether this tap was the one that recorded it."""

    at: datetime
    new: bool


@dataclass(frozen=True)
class Unconfirmed:
    """A member who got a notice and has not confirmed it yet."""

    name: str
    unit: str


class ReceiptRepository:
    """The receipts members gave for the notices that asked for them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def record_receipt(self, notice_id: int, person_id: int, now: datetime) -> Receipt:
        """Record a receipt once; a second tap returns the first one's time and `new=False`."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT OR IGNORE INTO notice_receipts (notice_id, person_id, at) VALUES (?, ?, ?)",
                (notice_id, person_id, to_db(now)),
            )
            row = await tx.fetchone(
                "SELECT at FROM notice_receipts WHERE notice_id = ? AND person_id = ?",
                (notice_id, person_id),
            )
        assert row is not None
        return Receipt(from_db(row["at"]), cursor.rowcount > 0)

    async def was_sent_to(self, notice_id: int, person_id: int) -> bool:
        """Whether the person's copy of the notice was delivered (or may have been)."""
        row = await self._db.fetchone(
            "SELECT 1 FROM notice_outbox WHERE notice_id = ? AND person_id = ?"
            " AND state IN ('sent', 'unconfirmed')",
            (notice_id, person_id),
        )
        return row is not None

    async def receipt_summary(self, notice_id: int) -> tuple[int, int]:
        """(confirmed, of): receipts against the members who got the notice (or confirmed it)."""
        row = await self._db.fetchone(
            "SELECT COUNT(r.person_id) AS confirmed, COUNT(*) AS total FROM notice_outbox o"
            " LEFT JOIN notice_receipts r"
            " ON r.notice_id = o.notice_id AND r.person_id = o.person_id"
            " WHERE o.notice_id = ? AND o.person_id != ?"
            " AND (o.state = 'sent' OR r.person_id IS NOT NULL)",
            (notice_id, CHANNEL_PERSON),
        )
        return (int(row["confirmed"]), int(row["total"])) if row else (0, 0)

    async def unconfirmed(self, notice_id: int) -> list[Unconfirmed]:
        """Members whose copy was delivered and who have not confirmed, by name."""
        rows = await self._db.fetchall(
            "SELECT p.name, p.unit FROM notice_outbox o JOIN persons p ON p.id = o.person_id"
            " WHERE o.notice_id = ? AND o.state = 'sent' AND NOT EXISTS (SELECT 1 FROM"
            " notice_receipts r WHERE r.notice_id = o.notice_id AND r.person_id = o.person_id)"
            " ORDER BY p.name, p.id",
            (notice_id,),
        )
        return [Unconfirmed(row["name"] or "?", row["unit"] or "") for row in rows]

    async def confirmed_people(self, notice_id: int) -> set[int]:
        """The person ids who confirmed the notice."""
        rows = await self._db.fetchall(
            "SELECT person_id FROM notice_receipts WHERE notice_id = ?", (notice_id,)
        )
        return {int(row["person_id"]) for row in rows}
