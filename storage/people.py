"""The persons table: roster entries and guests, with roles and preferences."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from storage.database import Database
from storage.timestamps import from_db, to_db

__all__ = [
    "SPOKEN_LANGUAGE",
    "SPOKEN_LANGUAGE_JOIN",
    "Language",
    "PeopleRepository",
    "Person",
    "Role",
]

Language = Literal["zh", "en"]

# The language the bot writes to a person in when it is not answering their own update
# (invitations, alerts on their taps, notices, role changes, secretariat cards): the one they
# chose, else the one of their Telegram app as last seen (zh* is Chinese, anything else
# English), else Chinese, the association's own language. The one place this rule is written.
# Needs `persons p` joined with SPOKEN_LANGUAGE_JOIN (a LEFT JOIN on a primary key).
SPOKEN_LANGUAGE = "COALESCE(p.language, c.language, 'zh')"
SPOKEN_LANGUAGE_JOIN = "LEFT JOIN notice_client_languages c ON c.person_id = p.id"


class Role(StrEnum):
    """Roles in rising order of rights: guest < member < council < secretariat."""

    GUEST = "guest"
    MEMBER = "member"
    COUNCIL = "council"
    SECRETARIAT = "secretariat"

    @property
    def rank(self) -> int:
        """Position in the order of rights."""
        return _ROLE_ORDER.index(self)

    def at_least(self, other: Role) -> bool:
        """True when this role has every right of `other`."""
        return self.rank >= other.rank


_ROLE_ORDER = [Role.GUEST, Role.MEMBER, Role.COUNCIL, Role.SECRETARIAT]


@dataclass(frozen=True)
class Person:
    """One person the bot knows: a roster entry, a guest, or both once bound."""

    id: int
    name: str
    unit: str
    role: Role
    telegram_id: int | None
    language: Language | None
    news_enabled: bool
    reachable: bool
    created_at: datetime
    updated_at: datetime
    spoken_language: Language  # chosen, else the app's, else Chinese: see SPOKEN_LANGUAGE


_COLUMNS = (
    "p.id, p.name, p.unit, p.role, p.telegram_id, p.language, p.news_enabled, p.reachable,"
    f" p.created_at, p.updated_at, {SPOKEN_LANGUAGE} AS spoken_language"
)
_FROM = f"persons p {SPOKEN_LANGUAGE_JOIN}"


def _person(row: sqlite3.Row) -> Person:
    return Person(
        id=row["id"],
        name=row["name"],
        unit=row["unit"],
        role=Role(row["role"]),
        telegram_id=row["telegram_id"],
        language=row["language"],
        news_enabled=bool(row["news_enabled"]),
        reachable=bool(row["reachable"]),
        created_at=from_db(row["created_at"]),
        updated_at=from_db(row["updated_at"]),
        spoken_language=row["spoken_language"],
    )


class PeopleRepository:
    """Reads and writes persons."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, person_id: int) -> Person | None:
        """Return the person with this id."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM {_FROM} WHERE p.id = ?", (person_id,)
        )
        return _person(row) if row else None

    async def get_by_telegram_id(self, telegram_id: int) -> Person | None:
        """Return the person bound to this Telegram account."""
        row = await self._db.fetchone(
            f"SELECT {_COLUMNS} FROM {_FROM} WHERE p.telegram_id = ?", (telegram_id,)
        )
        return _person(row) if row else None

    async def ensure_telegram_user(self, telegram_id: int, name: str, now: datetime) -> Person:
        """Return the person bound to `telegram_id`, creating a guest on first contact."""
        known = await self.get_by_telegram_id(telegram_id)
        if known is not None:
            return known
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO persons (name, telegram_id, created_at, updated_at)"
                " VALUES (?, ?, ?, ?) ON CONFLICT (telegram_id) DO NOTHING",
                (name, telegram_id, to_db(now), to_db(now)),
            )
            row = await tx.fetchone(
                f"SELECT {_COLUMNS} FROM {_FROM} WHERE p.telegram_id = ?", (telegram_id,)
            )
        assert row is not None
        return _person(row)

    async def ensure_role(self, telegram_id: int, role: Role, name: str, now: datetime) -> Person:
        """Give `telegram_id` at least `role`, creating the person if needed."""
        person = await self.ensure_telegram_user(telegram_id, name, now)
        if not person.role.at_least(role):
            async with self._db.transaction() as tx:
                await tx.execute(
                    "UPDATE persons SET role = ?, updated_at = ? WHERE id = ?",
                    (role.value, to_db(now), person.id),
                )
            person = await self.get(person.id) or person
        return person

    async def bind_telegram_id(self, person_id: int, telegram_id: int, now: datetime) -> None:
        """Bind a Telegram account to a roster entry."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE persons SET telegram_id = ?, updated_at = ? WHERE id = ?",
                (telegram_id, to_db(now), person_id),
            )

    async def set_language(self, person_id: int, language: Language, now: datetime) -> None:
        """Store the person's chosen language."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE persons SET language = ?, updated_at = ? WHERE id = ?",
                (language, to_db(now), person_id),
            )

    async def list_by_roles(self, roles: tuple[Role, ...]) -> list[Person]:
        """Return every person holding one of `roles`, by name (erased people have left)."""
        marks = ",".join("?" * len(roles))
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM {_FROM} WHERE p.role IN ({marks}) AND p.erased_at IS NULL"
            " ORDER BY p.name, p.id",
            tuple(role.value for role in roles),
        )
        return [_person(row) for row in rows]

    async def secretariat_chat_ids(self) -> list[int]:
        """Return the Telegram ids of every bound, reachable secretariat member."""
        rows = await self._db.fetchall(
            "SELECT telegram_id FROM persons WHERE role = 'secretariat'"
            " AND telegram_id IS NOT NULL AND reachable = 1 ORDER BY id"
        )
        return [int(row["telegram_id"]) for row in rows]

    async def record_audit(
        self,
        now: datetime,
        actor_person_id: int | None,
        action: str,
        subject_person_id: int | None = None,
        detail: str = "",
    ) -> None:
        """Append one secretariat action to the audit log."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO audit_log (at, actor_person_id, action, subject_person_id, detail)"
                " VALUES (?, ?, ?, ?, ?)",
                (to_db(now), actor_person_id, action, subject_person_id, detail),
            )

    async def set_news_enabled(self, person_id: int, enabled: bool, now: datetime) -> None:
        """Turn news notices on or off for the person (official notices always arrive)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE persons SET news_enabled = ?, updated_at = ? WHERE id = ?",
                (int(enabled), to_db(now), person_id),
            )

    async def set_reachable_by_telegram_id(
        self, telegram_id: int, reachable: bool, now: datetime, *, never_started: bool = False
    ) -> Person | None:
        """Record whether the bot can write to this account; return the person.

        An unreachable account either blocked the bot or (`never_started`) never opened it.
        """
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE persons SET reachable = ?, never_started = ?, updated_at = ?"
                " WHERE telegram_id = ?",
                (int(reachable), int(not reachable and never_started), to_db(now), telegram_id),
            )
        return await self.get_by_telegram_id(telegram_id)

    async def record_chat_member(
        self, telegram_id: int, reachable: bool, now: datetime
    ) -> Person | None:
        """A `my_chat_member` change: the person blocked the bot or left (unreachable), or
        started it (again); either way they have started it. The notices' reach note follows.
        """
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE persons SET reachable = ?, never_started = 0, updated_at = ?"
                " WHERE telegram_id = ?",
                (int(reachable), to_db(now), telegram_id),
            )
            if reachable:
                await tx.execute(
                    "DELETE FROM notice_unreachable WHERE person_id IN"
                    " (SELECT id FROM persons WHERE telegram_id = ?)",
                    (telegram_id,),
                )
            else:
                await tx.execute(
                    "INSERT INTO notice_unreachable (person_id, state, at)"
                    " SELECT id, 'blocked', ? FROM persons WHERE telegram_id = ?"
                    " ON CONFLICT (person_id) DO UPDATE SET state = 'blocked', at = excluded.at",
                    (to_db(now), telegram_id),
                )
        return await self.get_by_telegram_id(telegram_id)

    async def mark_heard_from(self, telegram_id: int, now: datetime) -> int | None:
        """The person wrote to the bot in private, so it can write to them: if they were
        marked blocked or never started, they are reachable again. Returns their id then.

        One read per update; the write only when something changes.
        """
        row = await self._db.fetchone(
            "SELECT p.id FROM persons p WHERE p.telegram_id = ? AND p.erased_at IS NULL"
            " AND (p.reachable = 0 OR p.never_started = 1"
            " OR EXISTS (SELECT 1 FROM notice_unreachable u WHERE u.person_id = p.id))",
            (telegram_id,),
        )
        if row is None:
            return None
        person_id = int(row["id"])
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE persons SET reachable = 1, never_started = 0, updated_at = ? WHERE id = ?",
                (to_db(now), person_id),
            )
            await tx.execute("DELETE FROM notice_unreachable WHERE person_id = ?", (person_id,))
        return person_id

    async def fill_empty_name(self, person_id: int, name: str, now: datetime) -> None:
        """Give a nameless person (e.g. an admin from the settings) their Telegram name."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE persons SET name = ?, updated_at = ? WHERE id = ? AND name = ''",
                (name, to_db(now), person_id),
            )
