"""Faults for tests: another process holding the database, a full file, a clock for waits."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from types import TracebackType

from storage.database import Database
from storage.faults import DatabaseFault, DatabaseUnavailable, WriteWaits

__all__ = ["InstantWaits", "OtherProcessLock", "fill_database", "make_room"]

_HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=60)
connection.execute("BEGIN EXCLUSIVE")
print("held", flush=True)
sys.stdin.readline()
connection.execute("COMMIT")
"""


class OtherProcessLock:
    """Another program holding SQLite's write lock (`BEGIN EXCLUSIVE`) until released."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._process: subprocess.Popen[str] | None = None

    def __enter__(self) -> OtherProcessLock:
        self._process = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, str(self.path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        if self._process.stdout.readline().strip() != "held":
            raise RuntimeError("the other process could not lock the database")
        return self

    def release(self) -> None:
        """Commit and end the other process."""
        if self._process is None:
            return
        assert self._process.stdin is not None
        self._process.stdin.write("\n")
        self._process.stdin.close()
        self._process.wait(timeout=10)
        if self._process.stdout is not None:
            self._process.stdout.close()
        self._process = None

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


class InstantWaits(WriteWaits):
    """Write waits on a clock of their own: a pause moves it on at once.

    `gate`, when given, holds every pause until it is set (to see what goes on meanwhile).
    """

    def __init__(self, budget: float = 4.0, gate: asyncio.Event | None = None) -> None:
        super().__init__(budget)
        self.clock = 0.0
        self.pauses = 0
        self.gate = gate

    def now(self) -> float:
        return self.clock

    async def pause(self, seconds: float) -> None:
        self.pauses += 1
        if self.gate is not None:
            await self.gate.wait()
        self.clock += seconds
        await asyncio.sleep(0)


async def fill_database(db: Database) -> None:
    """Fill the file to the last page, as a full disk would: the next write needing room fails."""
    await db.write_one("CREATE TABLE IF NOT EXISTS disk_filler (data BLOB)")
    row = await db.fetchone("PRAGMA page_count")
    assert row is not None
    await db.fetchone(f"PRAGMA max_page_count = {int(row[0])}")
    for size in (4000, 1000, 200):  # free pages first, then what is left on the last ones
        while True:
            try:
                await db.write_one("INSERT INTO disk_filler VALUES (zeroblob(?))", (size,))
            except DatabaseUnavailable as error:
                assert error.fault is DatabaseFault.FULL
                break


async def make_room(db: Database) -> None:
    """Space was freed: the file may grow again."""
    await db.fetchone("PRAGMA max_page_count = 1073741823")
