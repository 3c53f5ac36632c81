"""One aiosqlite connection in WAL mode, numbered migrations, write transactions and backup."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import aiosqlite

from storage.faults import DatabaseFault, DatabaseUnavailable, WriteWaits, fault_of

__all__ = ["MIGRATIONS_DIR", "Database", "backup_database", "migration_files"]

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")


def _raise_unavailable(error: BaseException) -> NoReturn:
    """Raise `error` again, as a `DatabaseUnavailable` when the file is at fault."""
    fault = fault_of(error)
    if fault is None or isinstance(error, DatabaseUnavailable):
        raise error
    raise DatabaseUnavailable(fault, str(error)) from error


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
    """The bot's SQLite database: open it, migrate it, read from it, write in transactions.

    A write waits for the write lock at most `waits.budget` seconds, pausing on the event
    loop between tries; one that fails is rolled back and raises `DatabaseUnavailable`, and
    the connection stays usable.
    """

    def __init__(self, connection: aiosqlite.Connection | None, path: Path) -> None:
        self._open_connection = connection
        self._write_lock = asyncio.Lock()
        self.path = path
        self.waits = WriteWaits()

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
        try:
            connection = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as error:
            _raise_unavailable(error)
        try:
            connection.row_factory = sqlite3.Row
            # Waiting for a lock happens on the event loop (see `_retrying`), not in SQLite.
            await connection.execute("PRAGMA busy_timeout=0")
            self._open_connection = connection
            await self._retrying(
                lambda: connection.execute("PRAGMA journal_mode=WAL"), self._deadline()
            )
            await connection.execute("PRAGMA synchronous=NORMAL")
            await connection.execute("PRAGMA foreign_keys=ON")
            if migrate:
                await self.migrate()
        except BaseException as error:
            self._open_connection = None
            await connection.close()
            _raise_unavailable(error)

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
            script = f"BEGIN IMMEDIATE;\n{path.read_text(encoding='utf-8')}\n"
            script += f"PRAGMA user_version={number};\nCOMMIT;"
            await self._run_script(script)
            logger.info("applied migration %s", path.name)
            current = number
        return current

    async def _run_script(self, script: str) -> None:
        """Run a script that makes its own transaction, rolling it back if any part fails."""

        async def attempt() -> None:
            await self._rollback()
            await self._connection.executescript(script)

        deadline = self._deadline()
        await self._lock(deadline)
        try:
            await self._retrying(attempt, deadline)
        except BaseException:
            await self._rollback()
            raise
        finally:
            self._write_lock.release()

    def _deadline(self, patience: float | None = None) -> float:
        return self.waits.now() + (self.waits.budget if patience is None else patience)

    async def _retrying(self, attempt: Callable[[], Awaitable[T]], deadline: float) -> T:
        """Run `attempt`, trying again while the database is busy until `deadline`."""
        pause = self.waits.first_pause
        while True:
            try:
                return await attempt()
            except sqlite3.Error as error:
                left = deadline - self.waits.now()
                if fault_of(error) is not DatabaseFault.BUSY or left <= 0:
                    _raise_unavailable(error)
            await self.waits.pause(min(pause, left))
            pause = min(pause * 2, self.waits.longest_pause)

    async def _lock(self, deadline: float) -> None:
        """Take this process's write lock, waiting until `deadline` at most."""
        if not self._write_lock.locked():
            await self._write_lock.acquire()
            return
        acquiring = asyncio.ensure_future(self._write_lock.acquire())
        timer = asyncio.ensure_future(self.waits.pause(max(deadline - self.waits.now(), 0)))
        try:
            await asyncio.wait({acquiring, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
            if not acquiring.done():
                acquiring.cancel()
        await asyncio.wait({acquiring})  # let a cancelled acquire settle: it may have won
        if acquiring.cancelled():
            raise DatabaseUnavailable(
                DatabaseFault.BUSY, "another write of this bot is taking long"
            )

    async def _rollback(self) -> None:
        """Undo whatever transaction is open; the connection is fit for the next write."""
        if not self._connection.in_transaction:
            return  # SQLite already rolled it back (as it does after some disk errors)
        try:
            await self._connection.execute("ROLLBACK")
        except sqlite3.Error as error:
            logger.error("could not roll back on %s: %s", self.path, error)

    async def _begin(self, deadline: float) -> None:
        async def begin() -> None:
            try:
                await self._connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if "within a transaction" not in str(error):
                    raise
                # A write cancelled mid-call left its transaction open: nobody holds it now.
                logger.warning("rolling back a transaction left open on %s", self.path)
                await self._connection.execute("ROLLBACK")
                await self._connection.execute("BEGIN IMMEDIATE")

        await self._retrying(begin, deadline)

    @asynccontextmanager
    async def transaction(self, *, patience: float | None = None) -> AsyncIterator[Transaction]:
        """Hold the write lock in a `BEGIN IMMEDIATE` transaction; commit, or roll back on error.

        Raises `DatabaseUnavailable` (with everything rolled back) when the database stays
        busy past the wait budget (or `patience` seconds), or is full, read-only or damaged.
        """
        deadline = self._deadline(patience)
        await self._lock(deadline)
        try:
            await self._begin(deadline)
            try:
                yield Transaction(self._connection)
                await self._retrying(lambda: self._connection.execute("COMMIT"), deadline)
            except BaseException as error:
                await self._rollback()
                _raise_unavailable(error)
        finally:
            self._write_lock.release()

    async def write_one(
        self, sql: str, params: Params = (), *, patience: float | None = None
    ) -> int:
        """Run one writing statement as its own transaction; return the rows it changed.

        SQLite makes a lone statement atomic by itself, so this costs one call to the database
        thread where `transaction()` costs three (BEGIN, the statement, COMMIT). The write
        lock keeps it out of another task's open transaction on the shared connection.
        `patience` (seconds) replaces the wait budget, e.g. 0 for bookkeeping that may be skipped.
        """
        deadline = self._deadline(patience)
        await self._lock(deadline)
        try:
            if self._connection.in_transaction:
                await self._rollback()
            cursor = await self._retrying(lambda: self._connection.execute(sql, params), deadline)
        except BaseException:
            await self._rollback()
            raise
        finally:
            self._write_lock.release()
        return cursor.rowcount

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """Read one row (one call to the database thread)."""
        rows = await self._retrying(
            lambda: self._connection.execute_fetchall(sql, params), self._deadline()
        )
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Read all rows (one call to the database thread)."""
        return list(
            await self._retrying(
                lambda: self._connection.execute_fetchall(sql, params), self._deadline()
            )
        )

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
