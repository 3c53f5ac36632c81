"""The reminder schedule of meetings: one row per meeting and kind, claimed when run."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from storage.database import Database, Transaction
from storage.timestamps import from_db, to_db

__all__ = ["Reminder", "ReminderRepository"]


@dataclass(frozen=True)
class Reminder:
    """A scheduled reminder of a meeting."""

    id: int
    meeting_id: int
    kind: Literal["deadline", "start"]
    due_at: datetime
    status: Literal["pending", "sent", "skipped"]


_REMINDER = ("id", "meeting_id", "kind", "due_at", "status")
_COLUMNS = ", ".join(_REMINDER)
# The same columns of `meeting_reminders r`, to join with the meetings.
_COLUMNS_R = ", ".join(f"r.{column}" for column in _REMINDER)


def _reminder(row: sqlite3.Row) -> Reminder:
    return Reminder(
        id=row["id"],
        meeting_id=row["meeting_id"],
        kind=row["kind"],
        due_at=from_db(row["due_at"]),
        status=row["status"],
    )


class ReminderRepository:
    """Reads and writes the reminders of meetings."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def replace_reminders(
        self, meeting_id: int, due: dict[str, datetime | None], now: datetime
    ) -> None:
        """Set the reminders of a meeting (kind -> due time; None or past = skipped)."""
        async with self._db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO meeting_reminders (meeting_id, kind, due_at, status)"
                " VALUES (?, ?, ?, ?)"
                " ON CONFLICT (meeting_id, kind) DO UPDATE SET due_at = excluded.due_at,"
                " status = excluded.status, done_at = NULL",
                [
                    (
                        meeting_id,
                        kind,
                        to_db(when or now),
                        "pending" if when is not None and when > now else "skipped",
                    )
                    for kind, when in due.items()
                ],
            )

    async def pending_reminders(self, meeting_id: int | None = None) -> list[Reminder]:
        """Return the reminders not yet sent (of one meeting, or of all open meetings)."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS_R} FROM meeting_reminders r"
            " JOIN meetings m ON m.id = r.meeting_id WHERE r.status = 'pending'"
            " AND m.status = 'open' AND (? IS NULL OR r.meeting_id = ?) ORDER BY r.due_at",
            (meeting_id, meeting_id),
        )
        return [_reminder(row) for row in rows]

    async def claim_reminder(self, reminder_id: int, status: str, now: datetime) -> bool:
        """Mark a pending reminder sent or skipped; False if someone already did."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE meeting_reminders SET status = ?, done_at = ? WHERE id = ?"
                " AND status = 'pending'",
                (status, to_db(now), reminder_id),
            )
        return cursor.rowcount == 1

    async def get_reminder(self, reminder_id: int) -> Reminder | None:
        """Return one reminder."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM meeting_reminders WHERE id = ?",
            (reminder_id,),
        )
        return _reminder(row) if row else None

    async def take(self, tx: Transaction, reminder_id: int, now: datetime) -> bool:
        """Mark a pending reminder sent, in the transaction that writes its round; False when
        it was taken already."""
        cursor = await tx.execute(
            "UPDATE meeting_reminders SET status = 'sent', done_at = ?"
            " WHERE id = ? AND status = 'pending'",
            (to_db(now), reminder_id),
        )
        return cursor.rowcount == 1

    async def skip_pending(self, tx: Transaction, meeting_id: int, now: datetime) -> None:
        """Skip every reminder of the meeting not yet sent (it was cancelled)."""
        await tx.execute(
            "UPDATE meeting_reminders SET status = 'skipped', done_at = ?"
            " WHERE meeting_id = ? AND status = 'pending'",
            (to_db(now), meeting_id),
        )
