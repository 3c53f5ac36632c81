"""Rounds of a meeting's messages (invitations, reminders) and their rows in the shared outbox.

A round is written with its outbox rows in the transaction that decides it (the meeting
opened or moved, a late joiner claimed, a reminder taken: the service opens it and hands it
to `insert` or `insert_invitations`), so it cannot be lost between the decision and the
sends. An invitation's outcome is recorded on the invitation too (how it reached the
person, and which message carries it), in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from storage.database import Database, Transaction
from storage.meeting_rows import RoundKind
from storage.outbox import OutboxKind, OutboxRepository, SendOutcome
from storage.people import SPOKEN_LANGUAGE, SPOKEN_LANGUAGE_JOIN
from storage.timestamps import to_db

__all__ = [
    "INVITATION_KINDS",
    "MEETING_OUTBOX",
    "MeetingRound",
    "MeetingRoundRepository",
    "RoundKind",
    "RoundTarget",
]

# Rounds that carry the invitation itself (with its buttons).
INVITATION_KINDS: tuple[RoundKind, ...] = ("invitation", "moved")

# How an invitation's delivery is recorded on the invitation, by the outbox outcome.
_DELIVERY = {"sent": "sent", "blocked": "unreachable", "never_started": "unreachable"}


@dataclass(frozen=True)
class RoundTarget:
    """Someone a round writes to: their chat (None without an account) and language."""

    person_id: int
    chat_id: int | None
    language: str
    reachable: bool = True


@dataclass(frozen=True)
class MeetingRound:
    """One round of messages about a meeting."""

    id: int
    meeting_id: int
    kind: RoundKind
    status: Literal["sending", "done"]


async def _record_invitations(
    tx: Transaction, round_id: int, outcomes: Sequence[SendOutcome], now: datetime
) -> None:
    """An invitation round's outcomes, on the invitations: delivery, chat and message."""
    await tx.executemany(
        "UPDATE invitations SET delivery = ?,"
        " chat_id = CASE WHEN ? = 'sent' THEN (SELECT chat_id FROM meeting_outbox"
        "   WHERE round_id = ? AND person_id = ?) ELSE chat_id END,"
        " message_id = CASE WHEN ? = 'sent' THEN ? ELSE message_id END"
        " WHERE person_id = ? AND meeting_id = (SELECT meeting_id FROM meeting_rounds"
        f"   WHERE id = ? AND kind IN ({', '.join('?' * len(INVITATION_KINDS))}))",
        [
            (
                _DELIVERY.get(o.state, "failed"),
                o.state,
                round_id,
                o.person_id,
                o.state,
                o.message_id,
                o.person_id,
                round_id,
                *INVITATION_KINDS,
            )
            for o in outcomes
        ],
    )


MEETING_OUTBOX = OutboxKind("meeting_outbox", "round_id", _record_invitations)


def _state(target: RoundTarget) -> tuple[str, str]:
    if target.chat_id is None:
        return "never_started", "skipped: unreachable"
    return ("pending", "") if target.reachable else ("blocked", "skipped: unreachable")


class MeetingRoundRepository:
    """Starts rounds, finds the unfinished ones, and reads and writes their outbox."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self.outbox = OutboxRepository(db, MEETING_OUTBOX)

    async def insert(
        self,
        tx: Transaction,
        meeting_id: int,
        kind: RoundKind,
        targets: Sequence[RoundTarget],
        now: datetime,
    ) -> int:
        """Write a round and one outbox row per target (those out of reach recorded as such);
        the round's id."""
        stamp = to_db(now)
        cursor = await tx.execute(
            "INSERT INTO meeting_rounds (meeting_id, kind, started_at) VALUES (?, ?, ?)",
            (meeting_id, kind, stamp),
        )
        round_id = int(cursor.lastrowid or 0)
        await tx.executemany(
            "INSERT INTO meeting_outbox (round_id, person_id, chat_id, language, state, reason,"
            " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(round_id, t.person_id, t.chat_id, t.language, *_state(t), stamp) for t in targets],
        )
        return round_id

    async def insert_invitations(
        self,
        tx: Transaction,
        meeting_id: int,
        kind: RoundKind,
        now: datetime,
        *,
        person_id: int | None = None,
    ) -> int:
        """A round of the meeting's invitations (one person's, with `person_id`), from the
        invitations as they are in this transaction: those out of reach are recorded so."""
        rows = await tx.fetchall(
            f"SELECT i.person_id, p.telegram_id, {SPOKEN_LANGUAGE} AS language, i.delivery"
            f" FROM invitations i JOIN persons p ON p.id = i.person_id {SPOKEN_LANGUAGE_JOIN}"
            " WHERE i.meeting_id = ? AND (? IS NULL OR i.person_id = ?) ORDER BY i.person_id",
            (meeting_id, person_id, person_id),
        )
        targets = [
            RoundTarget(
                row["person_id"],
                row["telegram_id"],
                row["language"],
                row["delivery"] != "unreachable",
            )
            for row in rows
        ]
        return await self.insert(tx, meeting_id, kind, targets, now)

    async def get(self, round_id: int) -> MeetingRound | None:
        """One round."""
        row = await self._db.fetchone(
            "SELECT id, meeting_id, kind, status FROM meeting_rounds WHERE id = ?", (round_id,)
        )
        if row is None:
            return None
        return MeetingRound(row["id"], row["meeting_id"], row["kind"], row["status"])

    async def unfinished(self) -> list[int]:
        """The rounds a stop, crash or fault interrupted, oldest first."""
        rows = await self._db.fetchall(
            "SELECT id FROM meeting_rounds WHERE status = 'sending' ORDER BY id"
        )
        return [int(row["id"]) for row in rows]

    async def finish(self, round_id: int, now: datetime) -> None:
        """Mark a round done."""
        await self._db.write_one(
            "UPDATE meeting_rounds SET status = 'done', finished_at = ? WHERE id = ?",
            (to_db(now), round_id),
        )

    async def release_in_flight(self) -> int:
        """After a crash: sends that were in flight go back to pending (may be repeated)."""
        return await self.outbox.release_in_flight()

    async def counts(self, round_id: int) -> dict[str, int]:
        """How many rows of the round are in each state."""
        return await self.outbox.counts(round_id)
