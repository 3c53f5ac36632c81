"""The notices' outbox: one row per recipient, claimed, sent, recorded and counted.

The rows' reading and writing is the shared outbox's (`storage.outbox`, kind NOTICE_OUTBOX);
what is only the notices' lives here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.database import Database
from storage.outbox import (
    CHANNEL_PERSON,
    NOT_REACHED,
    UNREACHABLE_STATES,
    OutboxKind,
    OutboxRepository,
    Recipient,
    SendOutcome,
    mark_unreachable,
)
from storage.timestamps import to_db

__all__ = [
    "CHANNEL_PERSON",
    "NOTICE_OUTBOX",
    "NOT_REACHED",
    "UNREACHABLE_STATES",
    "NoticeOutboxRepository",
    "Recipient",
    "SendOutcome",
    "Unreachable",
    "mark_unreachable",
]

NOTICE_OUTBOX = OutboxKind("notice_outbox", "notice_id")


@dataclass(frozen=True)
class Unreachable:
    """A recipient the notice did not reach, to phone instead."""

    name: str
    unit: str
    state: str
    reason: str


class NoticeOutboxRepository:
    """The notices' outbox: what is left to send and what became of each send."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.outbox = OutboxRepository(db, NOTICE_OUTBOX)  # the rows in the shared outbox

    async def release_in_flight(self) -> int:
        """After a crash: sends that were in flight go back to pending (they may be repeated)."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE notice_outbox SET state = 'pending', reason = 'in flight at a restart'"
                " WHERE state = 'sending'"
            )
            await tx.execute(
                "UPDATE notice_outbox SET state = 'cancelled', reason = 'cancelled'"
                " WHERE state = 'pending' AND notice_id IN"
                " (SELECT id FROM notices WHERE status = 'cancelled')"
            )
            return max(cursor.rowcount, 0)

    async def mark_sending(self, notice_id: int, person_id: int, now: datetime) -> bool:
        """Record that a send is about to start; False if the row is no longer pending."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE notice_outbox SET state = 'sending', attempts = attempts + 1,"
                " updated_at = ? WHERE notice_id = ? AND person_id = ? AND state = 'pending'",
                (to_db(now), notice_id, person_id),
            )
            return cursor.rowcount > 0

    async def pending(self, notice_id: int, after_person: int, limit: int) -> list[Recipient]:
        """The next page of pending recipients, by person id."""
        return await self.outbox.pending(notice_id, after_person, limit)

    async def record_sends(
        self,
        notice_id: int,
        claims: Sequence[int],
        outcomes: Sequence[SendOutcome],
        releases: Sequence[tuple[int, str]],
        now: datetime,
        revisions: Mapping[int, int] | None = None,
    ) -> set[int]:
        """Record outcomes and releases and claim rows, in one transaction."""
        return await self.outbox.record_sends(notice_id, claims, outcomes, releases, now, revisions)

    async def release(self, notice_id: int, person_id: int, reason: str) -> None:
        """Put a claimed recipient back to pending (to retry later)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE notice_outbox SET state = 'pending', reason = ?"
                " WHERE notice_id = ? AND person_id = ? AND state = 'sending'",
                (reason[:500], notice_id, person_id),
            )

    async def counts(self, notice_id: int) -> dict[str, int]:
        """How many outbox rows are in each state."""
        return await self.outbox.counts(notice_id)

    async def unreachable(self, notice_id: int) -> list[Unreachable]:
        """Recipients who blocked the bot, never started it, failed or are uncertain, by name."""
        rows = await self._db.fetchall(
            "SELECT COALESCE(p.name, o.chat_id) AS name, COALESCE(p.unit, '') AS unit, o.state,"
            " o.reason FROM notice_outbox o"
            " LEFT JOIN persons p ON p.id = o.person_id WHERE o.notice_id = ?"
            f" AND o.state IN ({', '.join('?' * len(NOT_REACHED))}) ORDER BY p.name, o.person_id",
            (notice_id, *NOT_REACHED),
        )
        return [
            Unreachable(str(row["name"]), row["unit"], row["state"], row["reason"]) for row in rows
        ]
