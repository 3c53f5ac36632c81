"""The database: WAL and foreign keys, migrations from an older schema, online backup."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from storage.database import Database, backup_database, migration_files
from storage.people import PeopleRepository, Role

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)


async def test_database_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    try:
        journal = await db.fetchone("PRAGMA journal_mode")
        keys = await db.fetchone("PRAGMA foreign_keys")
        assert journal is not None and journal[0] == "wal"
        assert keys is not None and keys[0] == 1
        assert await db.schema_version() == len(migration_files())
    finally:
        await db.close()


async def test_a_version_1_database_with_data_is_upgraded_without_loss(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = await Database.open(path, migrate=False)
    assert await old.migrate(target=1) == 1
    async with old.transaction() as tx:
        await tx.execute(
            "INSERT INTO persons (name, unit, role, telegram_id, language, created_at, updated_at)"
            " VALUES ('Li Hua', 'Yunnan University', 'council', 321, 'zh', ?, ?)",
            (NOW.isoformat(), NOW.isoformat()),
        )
    await old.close()

    db = await Database.open(path)
    try:
        assert await db.schema_version() == len(migration_files())
        person = await PeopleRepository(db).get_by_telegram_id(321)
        assert person is not None
        assert (person.name, person.unit, person.role, person.language) == (
            "Li Hua",
            "Yunnan University",
            Role.COUNCIL,
            "zh",
        )
        assert person.news_enabled and person.reachable
    finally:
        await db.close()


async def test_failed_transaction_changes_nothing(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "a.sqlite3")
    people = PeopleRepository(db)
    try:
        await people.ensure_telegram_user(1, "A", NOW)
        try:
            async with db.transaction() as tx:
                await tx.execute("UPDATE persons SET name = 'B' WHERE telegram_id = 1")
                raise RuntimeError("interrupted")
        except RuntimeError:
            pass
        person = await people.get_by_telegram_id(1)
        assert person is not None and person.name == "A"
    finally:
        await db.close()


async def test_backup_copies_an_open_database(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "live.sqlite3")
    try:
        await PeopleRepository(db).ensure_role(9, Role.SECRETARIAT, "Sec", NOW)
        pages = backup_database(db.path, tmp_path / "copy.sqlite3")
        assert pages > 0
        with sqlite3.connect(tmp_path / "copy.sqlite3") as copy:
            rows = copy.execute("SELECT telegram_id, role FROM persons").fetchall()
        assert rows == [(9, "secretariat")]
    finally:
        await db.close()
