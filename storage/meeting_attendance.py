"""The meeting day's records: who was present, and who holds whose proxy."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.database import Database
from storage.people import Role
from storage.timestamps import from_db, to_db

__all__ = ["AttendanceRepository", "Presence", "PresenceChange", "Proxy"]


@dataclass(frozen=True)
class Presence:
    """Someone recorded present at a meeting."""

    person_id: int
    name: str
    unit: str
    role: Role
    telegram_id: int | None
    checked_in_at: datetime
    walk_in: bool
    recorded_by: int | None


@dataclass(frozen=True)
class PresenceChange:
    """The outcome of recording presence: whether it was new, and the time on record."""

    created: bool
    checked_in_at: datetime
    walk_in: bool


@dataclass(frozen=True)
class Proxy:
    """An invited council member (`person_id`) who entrusted another (`holder_id`)."""

    person_id: int
    name: str
    holder_id: int
    holder_name: str


_PRESENCE = (
    "a.person_id, p.name, p.unit, p.role, p.telegram_id, a.checked_in_at, a.walk_in, a.recorded_by"
)
_PROXY = "x.person_id, p.name, x.holder_id, h.name AS holder_name"
_PROXY_FROM = (
    "meeting_proxies x JOIN persons p ON p.id = x.person_id JOIN persons h ON h.id = x.holder_id"
)


def _presence(row: sqlite3.Row) -> Presence:
    return Presence(
        person_id=row["person_id"],
        name=row["name"],
        unit=row["unit"],
        role=Role(row["role"]),
        telegram_id=row["telegram_id"],
        checked_in_at=from_db(row["checked_in_at"]),
        walk_in=bool(row["walk_in"]),
        recorded_by=row["recorded_by"],
    )


def _proxy(row: sqlite3.Row) -> Proxy:
    return Proxy(row["person_id"], row["name"], row["holder_id"], row["holder_name"])


class AttendanceRepository:
    """Reads and writes presence and proxies at meetings."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def is_invite_code(self, text: str) -> bool:
        """True when `text` is a personal invite code (a deep link the roster redeems)."""
        row = await self._db.fetchone("SELECT 1 FROM invite_codes WHERE code = ?", (text,))
        return row is not None

    async def record_presence(
        self, meeting_id: int, person_id: int, now: datetime, recorded_by: int | None = None
    ) -> PresenceChange:
        """Record a person present (once: a second check-in keeps the first time).

        Someone not invited is recorded as a walk-in.
        """
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT OR IGNORE INTO meeting_attendance"
                " (meeting_id, person_id, checked_in_at, walk_in, recorded_by)"
                " SELECT ?, ?, ?, NOT EXISTS (SELECT 1 FROM invitations"
                " WHERE meeting_id = ? AND person_id = ?), ?",
                (meeting_id, person_id, to_db(now), meeting_id, person_id, recorded_by),
            )
            created = cursor.rowcount == 1
            row = await tx.fetchone(
                "SELECT checked_in_at, walk_in FROM meeting_attendance"
                " WHERE meeting_id = ? AND person_id = ?",
                (meeting_id, person_id),
            )
        assert row is not None
        return PresenceChange(created, from_db(row[0]), bool(row[1]))

    async def remove_presence(self, meeting_id: int, person_id: int) -> bool:
        """Undo a presence; False when the person was not recorded present."""
        changed = await self._db.write_one(
            "DELETE FROM meeting_attendance WHERE meeting_id = ? AND person_id = ?",
            (meeting_id, person_id),
        )
        return changed == 1

    async def presence(self, meeting_id: int) -> list[Presence]:
        """Everyone recorded present, in the order they came."""
        rows = await self._db.fetchall(
            f"SELECT {_PRESENCE} FROM meeting_attendance a JOIN persons p ON p.id = a.person_id"
            " WHERE a.meeting_id = ? ORDER BY a.checked_in_at, a.person_id",
            (meeting_id,),
        )
        return [_presence(row) for row in rows]

    async def proxies(self, meeting_id: int) -> list[Proxy]:
        """Who holds whose proxy at a meeting."""
        rows = await self._db.fetchall(
            f"SELECT {_PROXY} FROM {_PROXY_FROM} WHERE x.meeting_id = ?"
            " ORDER BY h.name, x.holder_id, p.name, x.person_id",
            (meeting_id,),
        )
        return [_proxy(row) for row in rows]

    async def entrust(
        self, meeting_id: int, person_id: int, holder_id: int, limit: int, now: datetime
    ) -> str:
        """Entrust `holder_id` with `person_id`'s proxy, checked in one transaction.

        Returns `entrusted`, `same` (already so), `not_no` (the giver's answer is not No),
        `not_yes` (the holder's is not Yes), `holds_proxy` (the holder gave their own),
        or `full` (the holder holds `limit` already).
        """
        async with self._db.transaction() as tx:
            answers = {
                int(row[0]): str(row[1])
                for row in await tx.fetchall(
                    "SELECT person_id, response FROM invitations WHERE meeting_id = ?"
                    " AND person_id IN (?, ?)",
                    (meeting_id, person_id, holder_id),
                )
            }
            if answers.get(person_id) != "no":
                return "not_no"
            if answers.get(holder_id) != "yes":
                return "not_yes"
            current = await tx.fetchone(
                "SELECT holder_id FROM meeting_proxies WHERE meeting_id = ? AND person_id = ?",
                (meeting_id, person_id),
            )
            if current is not None and int(current[0]) == holder_id:
                return "same"
            if await tx.fetchone(
                "SELECT 1 FROM meeting_proxies WHERE meeting_id = ? AND person_id = ?",
                (meeting_id, holder_id),
            ):
                return "holds_proxy"
            row = await tx.fetchone(
                "SELECT COUNT(*) FROM meeting_proxies WHERE meeting_id = ? AND holder_id = ?",
                (meeting_id, holder_id),
            )
            if row is not None and int(row[0]) >= limit:
                return "full"
            await tx.execute(
                "INSERT INTO meeting_proxies (meeting_id, person_id, holder_id, created_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (meeting_id, person_id)"
                " DO UPDATE SET holder_id = excluded.holder_id, created_at = excluded.created_at",
                (meeting_id, person_id, holder_id, to_db(now)),
            )
        return "entrusted"

    async def withdraw_proxy(self, meeting_id: int, person_id: int, holder_id: int | None) -> bool:
        """Drop the proxy `person_id` gave (only if `holder_id` holds it, when given)."""
        changed = await self._db.write_one(
            "DELETE FROM meeting_proxies WHERE meeting_id = ? AND person_id = ?"
            " AND (? IS NULL OR holder_id = ?)",
            (meeting_id, person_id, holder_id, holder_id),
        )
        return changed == 1

    async def drop_proxies_involving(self, meeting_id: int, person_id: int) -> list[Proxy]:
        """After an answer changed: a giver no longer No, or a holder no longer Yes, frees them.

        Returns the proxies dropped.
        """
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                f"SELECT {_PROXY} FROM {_PROXY_FROM}"
                " JOIN invitations gi ON gi.meeting_id = x.meeting_id"
                " AND gi.person_id = x.person_id"
                " JOIN invitations hi ON hi.meeting_id = x.meeting_id"
                " AND hi.person_id = x.holder_id"
                " WHERE x.meeting_id = ? AND (x.person_id = ? OR x.holder_id = ?)"
                " AND (gi.response != 'no' OR hi.response != 'yes')",
                (meeting_id, person_id, person_id),
            )
            for row in rows:
                await tx.execute(
                    "DELETE FROM meeting_proxies WHERE meeting_id = ? AND person_id = ?",
                    (meeting_id, row["person_id"]),
                )
        return [_proxy(row) for row in rows]
