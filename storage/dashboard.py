"""The dashboard's reads: the roster searched and filtered, meetings to show, menu buttons."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.database import Database
from storage.people import Language, Role
from storage.roster import _REACH, Reach, RosterEntry
from storage.timestamps import to_db

__all__ = ["DashboardRepository", "RosterFilter", "RosterLine", "RosterSlice"]

_ROSTER_ROLES = ("member", "council", "secretariat")


@dataclass(frozen=True)
class RosterFilter:
    """What the roster page asks for: text in the name or unit, a role, a reach."""

    text: str = ""
    role: Role | None = None
    reach: Reach | None = None


@dataclass(frozen=True)
class RosterLine:
    """One roster entry as the dashboard lists it."""

    id: int
    name: str
    unit: str
    role: Role
    reach: Reach
    language: Language | None
    bound: bool


@dataclass(frozen=True)
class RosterSlice:
    """A page of matching entries and how many match in all."""

    lines: list[RosterLine]
    matching: int


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(wanted: RosterFilter) -> tuple[str, list[object]]:
    clauses = ["p.erased_at IS NULL", f"p.role IN {_ROSTER_ROLES!r}"]
    params: list[object] = []
    if wanted.text:
        clauses.append("(p.name LIKE ? ESCAPE '\\' OR p.unit LIKE ? ESCAPE '\\')")
        params += [_like(wanted.text), _like(wanted.text)]
    if wanted.role is not None:
        clauses.append("p.role = ?")
        params.append(wanted.role.value)
    if wanted.reach is not None:
        clauses.append(f"{_REACH} = ?")
        params.append(wanted.reach.value)
    return " AND ".join(clauses), params


class DashboardRepository:
    """Reads for the dashboard's pages and the record of dashboard menu buttons."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def roster_slice(self, wanted: RosterFilter, offset: int, limit: int) -> RosterSlice:
        """Entries matching `wanted`, secretariat first, then council, then members, by name."""
        where, params = _where(wanted)
        rows = await self._db.fetchall(
            f"SELECT p.id, p.name, p.unit, p.role, p.language, p.telegram_id, {_REACH} AS reach,"
            f" COUNT(*) OVER () AS matching FROM persons p WHERE {where}"
            " ORDER BY CASE p.role WHEN 'secretariat' THEN 0 WHEN 'council' THEN 1 ELSE 2 END,"
            " p.name, p.id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        lines = [
            RosterLine(
                id=row["id"],
                name=row["name"],
                unit=row["unit"],
                role=Role(row["role"]),
                reach=Reach(row["reach"]),
                language=row["language"],
                bound=row["telegram_id"] is not None,
            )
            for row in rows
        ]
        if rows:
            return RosterSlice(lines, int(rows[0]["matching"]))
        if offset == 0:
            return RosterSlice([], 0)
        count = await self._db.fetchone(f"SELECT COUNT(*) FROM persons p WHERE {where}", params)
        return RosterSlice([], int(count[0]) if count else 0)

    async def roster_entries(self, wanted: RosterFilter) -> list[tuple[RosterEntry, Reach]]:
        """Every entry matching `wanted` with its reach, in the roster's order (downloads)."""
        where, params = _where(wanted)
        rows = await self._db.fetchall(
            f"SELECT p.id, p.name, p.unit, p.role, p.telegram_id, p.language, {_REACH} AS reach"
            f" FROM persons p WHERE {where}"
            " ORDER BY CASE p.role WHEN 'secretariat' THEN 0 WHEN 'council' THEN 1 ELSE 2 END,"
            " p.name, p.id",
            params,
        )
        return [
            (
                RosterEntry(
                    row["id"],
                    row["name"],
                    row["unit"],
                    Role(row["role"]),
                    row["telegram_id"],
                    row["language"],
                ),
                Reach(row["reach"]),
            )
            for row in rows
        ]

    async def meeting_ids_since(self, since: datetime, limit: int) -> list[int]:
        """Meetings (not drafts) starting after `since`, soonest first."""
        rows = await self._db.fetchall(
            "SELECT id FROM meetings WHERE status != 'draft' AND starts_at > ?"
            " ORDER BY starts_at, id LIMIT ?",
            (to_db(since), limit),
        )
        return [int(row[0]) for row in rows]

    # -- menu buttons ------------------------------------------------------------------

    async def menu_buttons_due(self, url: str | None, limit: int) -> list[tuple[int, bool]]:
        """Chats whose menu button is not what it should be: (telegram id, should open it).

        A bound, reachable secretariat member's chat should open the dashboard at `url`;
        a chat that was given the button and is no longer theirs gets the ordinary one back.
        """
        rows = await self._db.fetchall(
            "SELECT p.telegram_id, 1 AS open FROM persons p"
            " LEFT JOIN dashboard_menu_buttons b ON b.telegram_id = p.telegram_id"
            " WHERE ? IS NOT NULL AND p.role = 'secretariat' AND p.telegram_id IS NOT NULL"
            " AND p.reachable = 1 AND p.erased_at IS NULL AND (b.url IS NOT ?)"
            " UNION ALL SELECT b.telegram_id, 0 FROM dashboard_menu_buttons b"
            " WHERE ? IS NULL OR NOT EXISTS (SELECT 1 FROM persons p"
            " WHERE p.telegram_id = b.telegram_id AND p.role = 'secretariat'"
            " AND p.erased_at IS NULL)"
            " LIMIT ?",
            (url, url, url, limit),
        )
        return [(int(row[0]), bool(row[1])) for row in rows]

    async def record_menu_button(self, telegram_id: int, url: str | None, now: datetime) -> None:
        """Remember that the chat's button now opens `url` (None: the ordinary button)."""
        if url is None:
            await self._db.write_one(
                "DELETE FROM dashboard_menu_buttons WHERE telegram_id = ?", (telegram_id,)
            )
            return
        await self._db.write_one(
            "INSERT INTO dashboard_menu_buttons (telegram_id, url, set_at) VALUES (?, ?, ?)"
            " ON CONFLICT (telegram_id) DO UPDATE SET url = excluded.url, set_at = excluded.set_at",
            (telegram_id, url, to_db(now)),
        )
