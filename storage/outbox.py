"""The per-recipient outbox of every paced delivery, one repository keyed by kind.

A notice's copies live in `notice_outbox` (rows keyed by notice), the rounds of a meeting's
messages (invitations, reminders) in `meeting_outbox` (rows keyed by round). Both have the same
columns and life: `pending`, `sending` while the send is in flight, then the outcome. A crash
leaves only the sends in flight `sending`; at start-up they go back to `pending`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from storage.database import Database, Transaction
from storage.timestamps import to_db

__all__ = [
    "CHANNEL_PERSON",
    "NOT_REACHED",
    "UNREACHABLE_STATES",
    "OutboxKind",
    "OutboxRepository",
    "OutboxRows",
    "Recipient",
    "SendOutcome",
    "mark_unreachable",
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


# Written in the transaction that records outcomes: what else follows from them.
AfterOutcomes = Callable[[Transaction, int, Sequence[SendOutcome], datetime], Awaitable[None]]


@dataclass(frozen=True)
class OutboxKind:
    """Where one kind of delivery keeps its rows: the table and the column of the delivery."""

    table: str
    key: str
    after_outcomes: AfterOutcomes | None = field(default=None, compare=False)


class OutboxRepository:
    """Reads and writes the outbox rows of one kind of delivery."""

    def __init__(self, db: Database, kind: OutboxKind) -> None:
        self._db = db
        self.kind = kind

    async def counts(self, key: int) -> dict[str, int]:
        """How many rows of one delivery are in each state."""
        rows = await self._db.fetchall(
            f"SELECT state, COUNT(*) AS n FROM {self.kind.table} WHERE {self.kind.key} = ?"
            " GROUP BY state",
            (key,),
        )
        return {row["state"]: int(row["n"]) for row in rows}

    async def pending(self, key: int, after_person: int, limit: int) -> list[Recipient]:
        """The next page of pending recipients, by person id."""
        rows = await self._db.fetchall(
            f"SELECT person_id, chat_id, language, attempts, message_id FROM {self.kind.table}"
            f" WHERE {self.kind.key} = ? AND state = 'pending' AND person_id > ?"
            " ORDER BY person_id LIMIT ?",
            (key, after_person, limit),
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

    async def release_in_flight(self) -> int:
        """After a crash: sends that were in flight go back to pending (they may be repeated)."""
        return await self._db.write_one(
            f"UPDATE {self.kind.table} SET state = 'pending', reason = 'in flight at a restart'"
            " WHERE state = 'sending'"
        )

    async def record_sends(
        self,
        key: int,
        claims: Sequence[int],
        outcomes: Sequence[SendOutcome],
        releases: Sequence[tuple[int, str]],
        now: datetime,
        revisions: Mapping[int, int] | None = None,
    ) -> set[int]:
        """In one transaction: record outcomes, put released rows back to pending, and claim
        pending rows for sending; return the person ids claimed.

        A delivered copy keeps the message id Telegram gave it, when it was sent, and the
        text revision it was sent with (`revisions`, by person).
        """
        table, column = self.kind.table, self.kind.key
        stamp = to_db(now)
        claimed: set[int] = set()
        known = revisions or {}
        async with self._db.transaction() as tx:
            if outcomes:
                await tx.executemany(
                    f"UPDATE {table} SET state = ?, reason = ?, updated_at = ?,"
                    " message_id = COALESCE(?, message_id), revision = COALESCE(?, revision),"
                    " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END"
                    f" WHERE {column} = ? AND person_id = ? AND state = 'sending'",
                    [
                        (
                            o.state,
                            o.reason[:500],
                            stamp,
                            o.message_id,
                            known.get(o.person_id),
                            o.state,
                            stamp,
                            key,
                            o.person_id,
                        )
                        for o in outcomes
                    ],
                )
                await mark_unreachable(tx, outcomes, now)
                if self.kind.after_outcomes is not None:
                    await self.kind.after_outcomes(tx, key, outcomes, now)
            if releases:
                await tx.executemany(
                    f"UPDATE {table} SET state = 'pending', reason = ?"
                    f" WHERE {column} = ? AND person_id = ? AND state = 'sending'",
                    [(reason[:500], key, person) for person, reason in releases],
                )
            if claims:
                rows = await tx.fetchall(
                    f"UPDATE {table} SET state = 'sending', attempts = attempts + 1,"
                    f" updated_at = ? WHERE {column} = ? AND state = 'pending'"
                    f" AND person_id IN ({', '.join('?' * len(claims))}) RETURNING person_id",
                    (stamp, key, *claims),
                )
                claimed = {int(row[0]) for row in rows}
        return claimed

    def rows(self, key: int, now: Callable[[], datetime]) -> OutboxRows:
        """One delivery's rows, as the paced engine reads and writes them."""
        return OutboxRows(self, key, now)


class OutboxRows:
    """One delivery's outbox rows, as the delivery engine reads and writes them.

    `revisions` notes the text revision each send in flight carries (a notice's correction
    may land meanwhile); its row records it with the outcome.
    """

    def __init__(self, repo: OutboxRepository, key: int, now: Callable[[], datetime]) -> None:
        self.repo = repo
        self.key = key
        self.now = now
        self.revisions: dict[int, int] = {}

    async def counts(self) -> dict[str, int]:
        """How many rows are in each state."""
        return await self.repo.counts(self.key)

    async def pending(self, after_person: int, limit: int) -> list[Recipient]:
        """The next page of pending rows."""
        return await self.repo.pending(self.key, after_person, limit)

    async def record(
        self,
        claims: Sequence[int],
        outcomes: Sequence[SendOutcome],
        releases: Sequence[tuple[int, str]],
    ) -> set[int]:
        """Record outcomes and releases and claim rows, in one transaction."""
        revisions = {o.person_id: self.revisions.pop(o.person_id, None) for o in outcomes}
        return await self.repo.record_sends(
            self.key,
            claims,
            outcomes,
            releases,
            self.now(),
            {person: revision for person, revision in revisions.items() if revision is not None},
        )


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
