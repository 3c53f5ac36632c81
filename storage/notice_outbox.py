"""The notices' outbox: one row per recipient, claimed, sent, recorded and counted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.database import Database, Transaction
from storage.timestamps import to_db

__all__ = [
    "CHANNEL_PERSON",
    "NOT_REACHED",
    "UNREACHABLE_STATES",
    "OutboxMixin",
    "Recipient",
    "SendOutcome",
    "Unreachable",
]

# The outbox row of the association's channel (`ASSOC_NOTICE_CHANNEL`): no person has id 0.
CHANNEL_PERSON = 0
# Outcomes of a send that did not reach the person (`unconfirmed`: it may have, unknown).
NOT_REACHED = ("blocked", "never_started", "failed", "unconfirmed")
# Outcomes that mark the person unreachable until they write to the bot again.
UNREACHABLE_STATES = ("blocked", "never_started")


@dataclass(frozen=True)
class Recipient:
    """One outbox row still to be sent."""

    person_id: int
    chat_id: int | str  # a channel may be named `@name`
    language: str
    attempts: int
    message_id: int | None = None  # for a correction or recall: the copy acted on


@dataclass(frozen=True)
class SendOutcome:
    """How one send ended, to record on its row."""

    person_id: int
    state: str
    reason: str = ""
    message_id: int | None = None


@dataclass(frozen=True)
class Unreachable:
    """A recipient the notice did not reach, to phone instead."""

    name: str
    unit: str
    state: str
    reason: str


class OutboxMixin:
    """The outbox half of NoticeRepository: what is left to send and what became of each send."""

    _db: Database

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

    async def pending(self, notice_id: int, after_person: int, limit: int) -> list[Recipient]:
        """The next page of pending recipients, by person id."""
        rows = await self._db.fetchall(
            "SELECT person_id, chat_id, language, attempts, message_id FROM notice_outbox"
            " WHERE notice_id = ? AND state = 'pending' AND person_id > ?"
            " ORDER BY person_id LIMIT ?",
            (notice_id, after_person, limit),
        )
        return [
            Recipient(
                row["person_id"],
                row["chat_id"],
                row["language"],
                row["attempts"],
                row["message_id"],
            )
            for row in rows
        ]

    async def mark_sending(self, notice_id: int, person_id: int, now: datetime) -> bool:
        """Record that a send is about to start; False if the row is no longer pending."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE notice_outbox SET state = 'sending', attempts = attempts + 1,"
                " updated_at = ? WHERE notice_id = ? AND person_id = ? AND state = 'pending'",
                (to_db(now), notice_id, person_id),
            )
            return cursor.rowcount > 0

    async def record_sends(
        self,
        notice_id: int,
        claims: Sequence[int],
        outcomes: Sequence[SendOutcome],
        releases: Sequence[tuple[int, str]],
        now: datetime,
        revisions: Mapping[int, int] | None = None,
    ) -> set[int]:
        """In one transaction: record outcomes, put released rows back to pending, and claim
        pending rows for sending; return the person ids claimed.

        A delivered copy keeps the message id Telegram gave it, when it was sent, and the
        text revision it was sent with (`revisions`, by person), for corrections and recalls.
        """
        stamp = to_db(now)
        claimed: set[int] = set()
        known = revisions or {}
        async with self._db.transaction() as tx:
            if outcomes:
                await tx.executemany(
                    "UPDATE notice_outbox SET state = ?, reason = ?, updated_at = ?,"
                    " message_id = COALESCE(?, message_id), revision = COALESCE(?, revision),"
                    " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END"
                    " WHERE notice_id = ? AND person_id = ? AND state = 'sending'",
                    [
                        (
                            o.state,
                            o.reason[:500],
                            stamp,
                            o.message_id,
                            known.get(o.person_id),
                            o.state,
                            stamp,
                            notice_id,
                            o.person_id,
                        )
                        for o in outcomes
                    ],
                )
                await mark_unreachable(tx, outcomes, now)
            if releases:
                await tx.executemany(
                    "UPDATE notice_outbox SET state = 'pending', reason = ?"
                    " WHERE notice_id = ? AND person_id = ? AND state = 'sending'",
                    [(reason[:500], notice_id, person) for person, reason in releases],
                )
            if claims:
                rows = await tx.fetchall(
                    "UPDATE notice_outbox SET state = 'sending', attempts = attempts + 1,"
                    " updated_at = ? WHERE notice_id = ? AND state = 'pending'"
                    f" AND person_id IN ({', '.join('?' * len(claims))}) RETURNING person_id",
                    (stamp, notice_id, *claims),
                )
                claimed = {int(row[0]) for row in rows}
        return claimed

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
        rows = await self._db.fetchall(
            "SELECT state, COUNT(*) AS n FROM notice_outbox WHERE notice_id = ? GROUP BY state",
            (notice_id,),
        )
        return {row["state"]: int(row["n"]) for row in rows}

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


async def mark_unreachable(tx: Transaction, outcomes: Sequence[SendOutcome], now: datetime) -> None:
    """Mark the people a send found blocked or never started unreachable (with the reason)."""
    lost = [
        (o.person_id, o.state)
        for o in outcomes
        if o.state in UNREACHABLE_STATES and o.person_id != CHANNEL_PERSON
    ]
    if not lost:
        return
    stamp = to_db(now)
    await tx.executemany(
        "UPDATE persons SET reachable = 0, updated_at = ? WHERE id = ?",
        [(stamp, person) for person, _ in lost],
    )
    await tx.executemany(
        "INSERT INTO notice_unreachable (person_id, state, at) VALUES (?, ?, ?)"
        " ON CONFLICT (person_id) DO UPDATE SET state = excluded.state, at = excluded.at",
        [(person, state, stamp) for person, state in lost],
    )
