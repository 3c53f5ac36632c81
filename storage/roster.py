"""Roster SQL: entries, role changes, counts, the audit log and command menus."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage.audit_log import audit
from storage.database import Database
from storage.people import Language, Role
from storage.timestamps import from_db, to_db

__all__ = [
    "MENU_NOTE_PATIENCE",
    "AuditEntry",
    "EntryChange",
    "Reach",
    "ReachCounts",
    "RosterEntry",
    "RosterRepository",
    "audit",
]

# Seconds a menu note waits for the database (our own writes take milliseconds).
MENU_NOTE_PATIENCE = 0.5


@dataclass(frozen=True)
class RosterEntry:
    """What the importer compares a CSV row with."""

    id: int
    name: str
    unit: str
    role: Role
    telegram_id: int | None
    language: Language | None


@dataclass(frozen=True)
class EntryChange:
    """One entry to add (id None) or to update, as the importer decided."""

    id: int | None
    name: str
    unit: str
    role: Role
    telegram_id: int | None
    language: Language | None


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log with the names of the people involved."""

    at: datetime
    actor: str
    action: str
    subject: str
    detail: str


_ROSTER_ROLES = "('member', 'council', 'secretariat')"


class Reach(StrEnum):
    """Whether a person's Telegram chat can be written to."""

    REACHABLE = "reachable"
    BLOCKED = "blocked"  # bound account, the bot is blocked
    NEVER_STARTED = "never_started"  # no account bound yet, or bound but never opened the bot


@dataclass(frozen=True)
class ReachCounts:
    """How many people of one role can be reached; `bound` have a Telegram account."""

    reachable: int
    blocked: int
    never_started: int
    bound: int

    @property
    def total(self) -> int:
        """Every entry of the role."""
        return self.reachable + self.blocked + self.never_started


# A bound account is unreachable because it blocked the bot, unless the roster or notice
# delivery (`notice_unreachable`) learnt from Telegram that it never started the bot.
_REACH = (
    "CASE WHEN p.telegram_id IS NULL THEN 'never_started'"
    " WHEN p.reachable = 1 THEN 'reachable'"
    " WHEN p.never_started = 1 OR EXISTS (SELECT 1 FROM notice_unreachable u"
    " WHERE u.person_id = p.id AND u.state = 'never_started') THEN 'never_started'"
    " ELSE 'blocked' END"
)


# The chat shows a menu for another role or language than the person's (`menu_key` in
# bot/roster/menus.py); a guest whose chat never had a menu of its own sees the default one.
_MENU_STALE = (
    "NOT (role = 'guest' AND menu_key IS NULL)"
    " AND menu_key IS NOT role || ':' || COALESCE(language, '*')"
)


class RosterRepository:
    """Reads and writes the roster's own tables and the roster side of persons."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- entries -------------------------------------------------------------------------

    async def entries(self) -> list[RosterEntry]:
        """Every person not erased, for matching imported rows."""
        rows = await self._db.fetchall(
            "SELECT id, name, unit, role, telegram_id, language FROM persons"
            " WHERE erased_at IS NULL ORDER BY id"
        )
        return [_entry(row) for row in rows]

    async def entry(self, person_id: int) -> RosterEntry | None:
        """The person's entry, unless they erased their data (and so left the roster)."""
        row = await self._db.fetchone(
            "SELECT id, name, unit, role, telegram_id, language FROM persons"
            " WHERE id = ? AND erased_at IS NULL",
            (person_id,),
        )
        return _entry(row) if row else None

    async def apply_changes(
        self,
        changes: Sequence[EntryChange],
        actor: int | None,
        now: datetime,
        summary: str,
        role_audits: Sequence[str | None] = (),
    ) -> list[int]:
        """Add and update entries in one transaction; return the ids in the order given.

        `role_audits` names, per change, the audit action its role change is logged under
        (None: logged only in the import's summary line)."""
        ids: list[int] = []
        stamp = to_db(now)
        async with self._db.transaction() as tx:
            for change in changes:
                values = (
                    change.name,
                    change.unit,
                    change.role.value,
                    change.telegram_id,
                    change.language,
                )
                if change.id is None:
                    cursor = await tx.execute(
                        "INSERT INTO persons (name, unit, role, telegram_id, language,"
                        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (*values, stamp, stamp),
                    )
                    ids.append(int(cursor.lastrowid or 0))
                else:
                    # Once on Telegram a person's language is theirs (/language): the roster
                    # only fills it in; before that the roster's language applies.
                    await tx.execute(
                        "UPDATE persons SET name = ?, unit = ?, role = ?, telegram_id = ?,"
                        " language = CASE WHEN telegram_id IS NULL THEN COALESCE(?, language)"
                        " ELSE COALESCE(language, ?) END, updated_at = ? WHERE id = ?",
                        (*values, change.language, stamp, change.id),
                    )
                    ids.append(change.id)
            for person_id, change, action in zip(ids, changes, role_audits, strict=False):
                if action is not None:
                    await audit(tx, now, actor, action, person_id, change.role.value)
            if changes:
                # The running bot may not be the one importing: its menu job picks these up.
                await tx.executemany(
                    "INSERT OR REPLACE INTO menu_refresh (person_id, requested_at) VALUES (?, ?)",
                    [(person_id, stamp) for person_id in ids],
                )
                await audit(tx, now, actor, "roster_import", None, summary)
        return ids

    async def add_entry(
        self,
        name: str,
        unit: str,
        role: Role,
        language: Language | None,
        actor: int | None,
        now: datetime,
    ) -> int:
        """Add one roster entry (not yet bound) and log it; return its id."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT INTO persons (name, unit, role, language, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (name, unit, role.value, language, to_db(now), to_db(now)),
            )
            person_id = int(cursor.lastrowid or 0)
            await audit(tx, now, actor, "entry_added", person_id, role.value)
        return person_id

    async def change_role(
        self, person_id: int, role: Role, actor: int | None, now: datetime, action: str
    ) -> Role | None:
        """Set the role of a person (not erased) and log it; return the old role, or None."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT role FROM persons WHERE id = ? AND erased_at IS NULL", (person_id,)
            )
            if row is None:
                return None
            old = Role(row["role"])
            await tx.execute(
                "UPDATE persons SET role = ?, updated_at = ? WHERE id = ?",
                (role.value, to_db(now), person_id),
            )
            if role is Role.GUEST:
                await tx.execute(
                    "DELETE FROM invite_codes WHERE person_id = ? AND used_at IS NULL",
                    (person_id,),
                )
            await audit(tx, now, actor, action, person_id, f"{old.value}>{role.value}")
        return old

    async def reach_counts(self) -> dict[Role, ReachCounts]:
        """Per role: entries, and how many are reachable, blocked the bot or never started it."""
        rows = await self._db.fetchall(
            f"SELECT p.role, {_REACH} AS reach, COUNT(*) AS n, COUNT(p.telegram_id) AS bound"
            " FROM persons p WHERE p.erased_at IS NULL GROUP BY p.role, reach"
        )
        counts: dict[Role, dict[str, int]] = {role: {} for role in Role}
        for row in rows:
            tally = counts[Role(row["role"])]
            tally[row["reach"]] = int(row["n"])
            tally["bound"] = tally.get("bound", 0) + int(row["bound"])
        return {
            role: ReachCounts(
                reachable=tally.get(Reach.REACHABLE, 0),
                blocked=tally.get(Reach.BLOCKED, 0),
                never_started=tally.get(Reach.NEVER_STARTED, 0),
                bound=tally.get("bound", 0),
            )
            for role, tally in counts.items()
        }

    async def with_reach(self, reach: Reach, limit: int) -> list[RosterEntry]:
        """Roster entries that are reachable, blocked the bot, or never started it."""
        return await self._entries(f"p.role IN {_ROSTER_ROLES} AND {_REACH} = ?", limit, 0, reach)

    async def reach_of(self, person_id: int) -> Reach | None:
        """Whether the person can be reached, blocked the bot or never started it."""
        row = await self._db.fetchone(
            f"SELECT {_REACH} AS reach FROM persons p WHERE p.id = ?", (person_id,)
        )
        return Reach(row["reach"]) if row else None

    async def roster_page(self, offset: int, limit: int) -> list[RosterEntry]:
        """A page of the roster, secretariat first, then council, then members, by name."""
        return await self._entries(f"p.role IN {_ROSTER_ROLES}", limit, offset)

    async def search(self, text: str, limit: int) -> list[RosterEntry]:
        """Roster entries whose name or unit contains `text` (case ignored), in roster order."""
        needle = text.casefold()
        return await self._entries(
            f"p.role IN {_ROSTER_ROLES} AND (instr(lower(p.name), ?) > 0"
            " OR instr(lower(p.unit), ?) > 0)",
            limit,
            0,
            needle,
            needle,
        )

    async def export_entries(self) -> list[tuple[RosterEntry, Reach]]:
        """Every roster entry (secretariat, council, members, by name) with its reach."""
        rows = await self._db.fetchall(
            "SELECT p.id, p.name, p.unit, p.role, p.telegram_id, p.language,"
            f" {_REACH} AS reach FROM persons p"
            f" WHERE p.erased_at IS NULL AND p.role IN {_ROSTER_ROLES}"
            " ORDER BY CASE p.role WHEN 'secretariat' THEN 0 WHEN 'council' THEN 1 ELSE 2 END,"
            " p.name, p.id"
        )
        return [(_entry(row), Reach(row["reach"])) for row in rows]

    async def _entries(
        self, where: str, limit: int, offset: int, *params: str
    ) -> list[RosterEntry]:
        rows = await self._db.fetchall(
            "SELECT p.id, p.name, p.unit, p.role, p.telegram_id, p.language FROM persons p"
            f" WHERE p.erased_at IS NULL AND {where}"
            " ORDER BY CASE p.role WHEN 'secretariat' THEN 0 WHEN 'council' THEN 1 ELSE 2 END,"
            " p.name, p.id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_entry(row) for row in rows]

    # -- audit log -----------------------------------------------------------------------

    async def audit_page(self, offset: int, limit: int) -> list[AuditEntry]:
        """The audit log, newest first, with names (blank when erased)."""
        rows = await self._db.fetchall(
            "SELECT a.at, a.action, a.detail, a.actor_person_id, a.subject_person_id,"
            " actor.name AS actor_name, subject.name AS subject_name FROM audit_log a"
            " LEFT JOIN persons actor ON actor.id = a.actor_person_id"
            " LEFT JOIN persons subject ON subject.id = a.subject_person_id"
            " ORDER BY a.id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [
            AuditEntry(
                at=from_db(row["at"]),
                actor=_label(row["actor_name"], row["actor_person_id"]),
                action=row["action"],
                subject=_label(row["subject_name"], row["subject_person_id"]),
                detail=row["detail"],
            )
            for row in rows
        ]

    # -- command menus -------------------------------------------------------------------

    async def menu_key(self, person_id: int) -> str | None:
        """The role and language of the command menu last set for the person."""
        row = await self._db.fetchone("SELECT menu_key FROM persons WHERE id = ?", (person_id,))
        return row["menu_key"] if row else None

    async def set_menu_key(self, person_id: int, key: str | None) -> None:
        """Remember which menu the person's chat shows.

        Bookkeeping after the answer: it waits for the database briefly, not the full budget
        (a menu not noted stays stale and is noted at a later update).
        """
        await self._db.write_one(
            "UPDATE persons SET menu_key = ? WHERE id = ?",
            (key, person_id),
            patience=MENU_NOTE_PATIENCE,
        )

    async def stale_menus(self) -> list[int]:
        """Ids of bound, reachable people whose chat shows a menu for another role or language."""
        rows = await self._db.fetchall(
            "SELECT id FROM persons WHERE telegram_id IS NOT NULL AND reachable = 1"
            f" AND erased_at IS NULL AND {_MENU_STALE} ORDER BY id"
        )
        return [int(row["id"]) for row in rows]

    async def stale_menu_of(self, telegram_id: int) -> int | None:
        """The id of the person bound to `telegram_id` if their menu needs setting, else None.

        One indexed read: the check made after every update, so it must cost little.
        """
        row = await self._db.fetchone(
            f"SELECT id FROM persons WHERE telegram_id = ? AND erased_at IS NULL AND {_MENU_STALE}",
            (telegram_id,),
        )
        return int(row["id"]) if row else None

    async def take_menu_refreshes(self, limit: int) -> list[int]:
        """Take up to `limit` people queued for a menu update; return those who can be reached."""
        if await self._db.fetchone("SELECT 1 FROM menu_refresh LIMIT 1") is None:
            return []  # the usual case, checked every second: no write lock taken
        async with self._db.transaction() as tx:
            rows = await tx.fetchall(
                "SELECT m.person_id, p.telegram_id IS NOT NULL AND p.reachable = 1"
                " AND p.erased_at IS NULL AS reachable FROM menu_refresh m"
                " JOIN persons p ON p.id = m.person_id ORDER BY m.requested_at, m.person_id"
                " LIMIT ?",
                (limit,),
            )
            await tx.executemany(
                "DELETE FROM menu_refresh WHERE person_id = ?",
                [(row["person_id"],) for row in rows],
            )
        return [int(row["person_id"]) for row in rows if row["reachable"]]


def _entry(row: sqlite3.Row) -> RosterEntry:
    """A roster entry from a persons row."""
    return RosterEntry(
        row["id"], row["name"], row["unit"], Role(row["role"]), row["telegram_id"], row["language"]
    )


def _label(name: str | None, person_id: int | None) -> str:
    if person_id is None:
        return ""
    return name or f"#{person_id}"
