"""One aiosqlite connection in WAL mode, numbered migrations, write transactions and backup."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

__all__ = ["MIGRATIONS_DIR", "Database", "backup_database", "migration_files"]

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

Params = Sequence[Any] | dict[str, Any]


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[tuple[int, Path]]:
    """Return the numbered migration files in order; numbers must run 1, 2, 3 without gaps."""
    found = []
    for path in directory.iterdir():
        match = _MIGRATION_NAME.match(path.name)
        if match:
            found.append((int(match.group(1)), path))
    found.sort()
    for expected, (number, path) in enumerate(found, start=1):
        if number != expected:
            raise RuntimeError(f"migration {path.name} out of sequence (expected {expected:04d})")
    return found


class Transaction:
    """The connection inside one `BEGIN IMMEDIATE` transaction."""

    def __init__(self, connection: aiosqlite.Connection) -> None:
        self._connection = connection

    async def execute(self, sql: str, params: Params = ()) -> aiosqlite.Cursor:
        """Run one statement and return its cursor (for `lastrowid` and `rowcount`)."""
        return await self._connection.execute(sql, params)

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        """Run one statement for many rows in a single call."""
        await self._connection.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """Read one row inside the transaction."""
        rows = await self._connection.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Read all rows inside the transaction."""
        return list(await self._connection.execute_fetchall(sql, params))


class Database:
    """The bot's SQLite database: open it, migrate it, read from it, write in transactions."""

    def __init__(self, connection: aiosqlite.Connection | None, path: Path) -> None:
        self._open_connection = connection
        self._write_lock = asyncio.Lock()
        self.path = path

    @classmethod
    def at(cls, path: Path | str) -> Database:
        """The database at `path`, not yet open: `connect()` opens it (the bot's start-up)."""
        return cls(None, Path(path))

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        """Open (creating if needed) the database at `path` and bring its schema up to date."""
        database = cls.at(path)
        await database.connect(migrate=migrate)
        return database

    @property
    def is_open(self) -> bool:
        """Whether the connection is open (between `connect()` and `close()`)."""
        return self._open_connection is not None

    @property
    def _connection(self) -> aiosqlite.Connection:
        if self._open_connection is None:
            raise RuntimeError("the database is not open: start-up has not run")
        return self._open_connection

    async def connect(self, *, migrate: bool = True) -> None:
        """Open the connection (creating the file if needed) and bring the schema up to date."""
        path = self.path
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = await aiosqlite.connect(path, isolation_level=None)
        try:
            connection.row_factory = sqlite3.Row
            await connection.execute("PRAGMA journal_mode=WAL")
            await connection.execute("PRAGMA synchronous=NORMAL")
            await connection.execute("PRAGMA foreign_keys=ON")
            await connection.execute("PRAGMA busy_timeout=5000")
            self._open_connection = connection
            if migrate:
                await self.migrate()
        except BaseException:
            self._open_connection = None
            await connection.close()
            raise

    async def close(self) -> None:
        """Close the connection (an open one would keep the process from exiting)."""
        connection, self._open_connection = self._connection, None
        await connection.close()
        logger.info("database closed: %s", self.path)

    async def schema_version(self) -> int:
        """Return the number of the last migration applied."""
        row = await self.fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def migrate(self, *, target: int | None = None) -> int:
        """Apply the migrations above the current version (up to `target`); return the version."""
        current = await self.schema_version()
        for number, path in migration_files():
            if number <= current or (target is not None and number > target):
                continue
            script = path.read_text(encoding="utf-8")
            async with self._write_lock:
                try:
                    await self._connection.executescript(
                        f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version={number};\nCOMMIT;"
                    )
                except BaseException:
                    if self._connection.in_transaction:
                        await self._connection.execute("ROLLBACK")
                    raise
            logger.info("applied migration %s", path.name)
            current = number
        return current

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """Hold the write lock in a `BEGIN IMMEDIATE` transaction; commit, or roll back on error."""
        async with self._write_lock:
            await self._connection.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._connection)
            except BaseException:
                await self._connection.execute("ROLLBACK")
                raise
            await self._connection.execute("COMMIT")

    async def write_one(self, sql: str, params: Params = ()) -> int:
        """Run one writing statement as its own transaction; return the rows it changed.

        SQLite makes a lone statement atomic by itself, so this costs one call to the database
        thread where `transaction()` costs three (BEGIN, the statement, COMMIT). The write
        lock keeps it out of another task's open transaction on the shared connection.
        """
        async with self._write_lock:
            cursor = await self._connection.execute(sql, params)
        return cursor.rowcount

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """Read one row (one call to the database thread)."""
        rows = await self._connection.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Read all rows (one call to the database thread)."""
        return list(await self._connection.execute_fetchall(sql, params))

    async def backup_to(self, target: Path | str) -> None:
        """Copy the whole database to `target` with SQLite's online backup API."""
        target_connection = sqlite3.connect(target)
        try:
            await self._connection.backup(target_connection)
        finally:
            target_connection.close()


def backup_database(source: Path | str, target: Path | str) -> int:
    """Copy the database file `source` to `target` while others use it; return pages copied."""
    source_connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    target_connection = sqlite3.connect(target)
    pages = 0

    def progress(status: int, remaining: int, total: int) -> None:
        nonlocal pages
        pages = total

    try:
        source_connection.backup(target_connection, pages=256, progress=progress)
    finally:
        target_connection.close()
        source_connection.close()
    return pages
