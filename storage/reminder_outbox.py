"""Rounds of meeting reminders and their per-recipient outbox (the notices' outbox, per round)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from storage.database import Database
from storage.notice_outbox import Recipient, SendOutcome, mark_unreachable
from storage.timestamps import to_db

__all__ = ["ReminderRound", "ReminderRoundRepository", "ReminderTarget"]


@dataclass(frozen=True)
class ReminderTarget:
    """Someone a round reminds: their chat (None without an account) and language."""

    person_id: int
    chat_id: int | None
    language: str
    reachable: bool = True


@dataclass(frozen=True)
class ReminderRound:
    """One round of reminders of a meeting."""

    id: int
    meeting_id: int
    kind: Literal["deadline", "start"]
    status: Literal["sending", "done"]


class ReminderRoundRepository:
    """Starts rounds (snapshotting who they remind), and reads and writes their outbox."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def start(
        self,
        meeting_id: int,
        kind: str,
        targets: Sequence[ReminderTarget],
        now: datetime,
        *,
        reminder_id: int | None = None,
    ) -> int | None:
        """Create a round with one outbox row per target, atomically; with `reminder_id`, only
        if that scheduled reminder is still pending (it is marked sent in the same
        transaction). Returns the round's id, or None when the reminder was already taken.
        """
        stamp = to_db(now)
        async with self._db.transaction() as tx:
            if reminder_id is not None:
                cursor = await tx.execute(
                    "UPDATE meeting_reminders SET status = 'sent', done_at = ?"
                    " WHERE id = ? AND status = 'pending'",
                    (stamp, reminder_id),
                )
                if cursor.rowcount != 1:
                    return None
            cursor = await tx.execute(
                "INSERT INTO meeting_reminder_rounds (meeting_id, kind, started_at)"
                " VALUES (?, ?, ?)",
                (meeting_id, kind, stamp),
            )
            round_id = int(cursor.lastrowid or 0)
            await tx.executemany(
                "INSERT INTO meeting_reminder_outbox (round_id, person_id, chat_id, language,"
                " state, reason, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        round_id,
                        target.person_id,
                        target.chat_id,
                        target.language,
                        "pending"
                        if target.chat_id is not None and target.reachable
                        else ("never_started" if target.chat_id is None else "blocked"),
                        ""
                        if target.chat_id is not None and target.reachable
                        else "skipped: unreachable",
                        stamp,
                    )
                    for target in targets
                ],
            )
        return round_id

    async def get(self, round_id: int) -> ReminderRound | None:
        """One round."""
        row = await self._db.fetchone(
            "SELECT id, meeting_id, kind, status FROM meeting_reminder_rounds WHERE id = ?",
            (round_id,),
        )
        return (
            ReminderRound(row["id"], row["meeting_id"], row["kind"], row["status"]) if row else None
        )

    async def unfinished(self) -> list[int]:
        """The rounds a stop or crash interrupted, oldest first."""
        rows = await self._db.fetchall(
            "SELECT id FROM meeting_reminder_rounds WHERE status = 'sending' ORDER BY id"
        )
        return [int(row["id"]) for row in rows]

    async def finish(self, round_id: int, now: datetime) -> None:
        """Mark a round done."""
        await self._db.write_one(
            "UPDATE meeting_reminder_rounds SET status = 'done', finished_at = ? WHERE id = ?",
            (to_db(now), round_id),
        )

    async def release_in_flight(self) -> int:
        """After a crash: reminders that were in flight go back to pending (may be repeated)."""
        return await self._db.write_one(
            "UPDATE meeting_reminder_outbox SET state = 'pending',"
            " reason = 'in flight at a restart' WHERE state = 'sending'"
        )

    async def counts(self, round_id: int) -> dict[str, int]:
        """How many rows of the round are in each state."""
        rows = await self._db.fetchall(
            "SELECT state, COUNT(*) AS n FROM meeting_reminder_outbox WHERE round_id = ?"
            " GROUP BY state",
            (round_id,),
        )
        return {row["state"]: int(row["n"]) for row in rows}

    async def pending(self, round_id: int, after_person: int, limit: int) -> list[Recipient]:
        """The next page of rows still to send, by person id."""
        rows = await self._db.fetchall(
            "SELECT person_id, chat_id, language, attempts FROM meeting_reminder_outbox"
            " WHERE round_id = ? AND state = 'pending' AND person_id > ?"
            " ORDER BY person_id LIMIT ?",
            (round_id, after_person, limit),
        )
        return [
            Recipient(row["person_id"], row["chat_id"], row["language"], row["attempts"])
            for row in rows
        ]

    async def record_sends(
        self,
        round_id: int,
        claims: Sequence[int],
        outcomes: Sequence[SendOutcome],
        releases: Sequence[tuple[int, str]],
        now: datetime,
    ) -> set[int]:
        """In one transaction: record outcomes, put released rows back to pending, and claim
        pending rows for sending; return the person ids claimed."""
        stamp = to_db(now)
        claimed: set[int] = set()
        async with self._db.transaction() as tx:
            if outcomes:
                await tx.executemany(
                    "UPDATE meeting_reminder_outbox SET state = ?, reason = ?, updated_at = ?"
                    " WHERE round_id = ? AND person_id = ? AND state = 'sending'",
                    [(o.state, o.reason[:500], stamp, round_id, o.person_id) for o in outcomes],
                )
                await mark_unreachable(tx, outcomes, now)
            if releases:
                await tx.executemany(
                    "UPDATE meeting_reminder_outbox SET state = 'pending', reason = ?"
                    " WHERE round_id = ? AND person_id = ? AND state = 'sending'",
                    [(reason[:500], round_id, person) for person, reason in releases],
                )
            if claims:
                rows = await tx.fetchall(
                    "UPDATE meeting_reminder_outbox SET state = 'sending',"
                    " attempts = attempts + 1, updated_at = ? WHERE round_id = ?"
                    " AND state = 'pending'"
                    f" AND person_id IN ({', '.join('?' * len(claims))}) RETURNING person_id",
                    (stamp, round_id, *claims),
                )
                claimed = {int(row[0]) for row in rows}
        return claimed
