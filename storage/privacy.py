"""Personal data SQL: everything held about a person, and its erasure keeping anonymous counts."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from storage.database import Database, Transaction
from storage.timestamps import to_db

__all__ = [
    "PERSONAL_COLUMNS",
    "ROSTER_TABLES",
    "erase_other_tables",
    "erase_roster_data",
    "export_other_tables",
    "export_roster_data",
]

# Tables the roster exports and erases itself; every other table with a person_id column is
# exported row by row, and its columns named in PERSONAL_COLUMNS are blanked on erasure.
ROSTER_TABLES = frozenset(
    {
        "persons",
        "applications",
        "application_messages",
        "invite_codes",
        "roster_uploads",
        "audit_log",
        "menu_refresh",
    }
)
PERSONAL_COLUMNS = frozenset({"chat_id", "telegram_id", "name", "unit", "note", "username"})


def _rows(rows: list[sqlite3.Row]) -> list[dict[str, Any]]:
    return [dict(row) for row in rows]


async def export_roster_data(db: Database, person_id: int) -> dict[str, Any]:
    """The person's roster entry, applications, invite codes and audit lines about them."""
    person = await db.fetchone(
        "SELECT id, name, unit, role, telegram_id, language, news_enabled, reachable,"
        " created_at, updated_at FROM persons WHERE id = ?",
        (person_id,),
    )
    applications = await db.fetchall(
        "SELECT id, name, unit, language, status, created_at, decided_at FROM applications"
        " WHERE person_id = ? ORDER BY id",
        (person_id,),
    )
    invites = await db.fetchall(
        "SELECT role, created_at, expires_at, used_at FROM invite_codes"
        " WHERE person_id = ? OR used_by = ? ORDER BY created_at",
        (person_id, person_id),
    )
    audit = await db.fetchall(
        "SELECT at, action, detail, actor_person_id = ? AS by_me FROM audit_log"
        " WHERE subject_person_id = ? OR actor_person_id = ? ORDER BY id",
        (person_id, person_id, person_id),
    )
    entry = dict(person) if person else {}
    for flag in ("news_enabled", "reachable"):
        if flag in entry:
            entry[flag] = bool(entry[flag])
    return {
        "entry": entry,
        "applications": _rows(applications),
        "invitations": _rows(invites),
        "audit_log": [dict(row, by_me=bool(row["by_me"])) for row in audit],
    }


async def _person_tables(db: Database | Transaction) -> dict[str, list[sqlite3.Row]]:
    """Every table outside the roster's with a person_id column, with its column list."""
    tables = await db.fetchall(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " ORDER BY name"
    )
    found: dict[str, list[sqlite3.Row]] = {}
    for table in tables:
        name = str(table["name"])
        if name in ROSTER_TABLES or not name.replace("_", "").isalnum():
            continue
        columns = await db.fetchall(f"PRAGMA table_info({name})")
        if any(column["name"] == "person_id" for column in columns):
            found[name] = columns
    return found


async def export_other_tables(
    db: Database, person_id: int, skip: frozenset[str] = frozenset()
) -> dict[str, list[dict[str, Any]]]:
    """Rows about the person in the other features' tables (answers, deliveries, ...)."""
    exported: dict[str, list[dict[str, Any]]] = {}
    for name in await _person_tables(db):
        if name in skip:
            continue
        rows = await db.fetchall(f"SELECT * FROM {name} WHERE person_id = ?", (person_id,))
        if rows:
            exported[name] = _rows(rows)
    return exported


async def erase_other_tables(
    tx: Transaction, person_id: int, skip: frozenset[str] = frozenset()
) -> None:
    """Blank the personal columns (chat id, name, note...) of the person's rows elsewhere."""
    for name, columns in (await _person_tables(tx)).items():
        if name in skip:
            continue
        assignments = []
        for column in columns:
            if column["name"] not in PERSONAL_COLUMNS or column["pk"]:
                continue
            if not column["notnull"]:
                assignments.append(f"{column['name']} = NULL")
            elif "TEXT" in str(column["type"]).upper():
                assignments.append(f"{column['name']} = ''")
        if assignments:
            await tx.execute(
                f"UPDATE {name} SET {', '.join(assignments)} WHERE person_id = ?", (person_id,)
            )


async def erase_roster_data(tx: Transaction, person_id: int, now: datetime) -> None:
    """Erase the entry's personal data; keep its id and role so past counts stay right.

    The person leaves the roster: they are no longer counted in audiences or quorums, so
    their invitations to meetings not yet held are withdrawn (held meetings keep theirs).
    """
    await tx.execute(
        "UPDATE persons SET name = '', unit = '', telegram_id = NULL, language = NULL,"
        " news_enabled = 1, reachable = 0, menu_key = NULL, erased_at = ?, updated_at = ?"
        " WHERE id = ?",
        (to_db(now), to_db(now), person_id),
    )
    await tx.execute(
        "UPDATE applications SET name = '', unit = '',"
        " status = CASE status WHEN 'pending' THEN 'withdrawn' ELSE status END"
        " WHERE person_id = ?",
        (person_id,),
    )
    await tx.execute(
        "DELETE FROM invite_codes WHERE person_id = ? AND used_at IS NULL", (person_id,)
    )
    await tx.execute("UPDATE roster_uploads SET content = '' WHERE uploaded_by = ?", (person_id,))
    await tx.execute("DELETE FROM menu_refresh WHERE person_id = ?", (person_id,))
    await tx.execute(
        "DELETE FROM invitations WHERE person_id = ? AND meeting_id IN"
        " (SELECT id FROM meetings WHERE status = 'open' AND starts_at > ?)",
        (person_id, to_db(now)),
    )
