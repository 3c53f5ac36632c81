"""What can go wrong with the database file, in words a person can act on."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from enum import StrEnum

__all__ = ["DatabaseFault", "DatabaseUnavailable", "WriteWaits", "fault_of"]


class DatabaseFault(StrEnum):
    """Why the database could not do what was asked."""

    BUSY = "busy"  # another program holds the write lock longer than a write may wait
    FULL = "full"  # no room left on the disk (or the file reached its size limit)
    READ_ONLY = "read_only"  # the file or its directory cannot be written
    DAMAGED = "damaged"  # the file is not a database, or is truncated or corrupt
    IO = "io"  # the operating system could not read or write the file
    MISSING = "missing"  # the file (or its directory) cannot be opened


# SQLite's primary result codes (the low byte of an extended code).
_CODES = {
    5: DatabaseFault.BUSY,  # SQLITE_BUSY
    6: DatabaseFault.BUSY,  # SQLITE_LOCKED
    8: DatabaseFault.READ_ONLY,  # SQLITE_READONLY
    10: DatabaseFault.IO,  # SQLITE_IOERR
    11: DatabaseFault.DAMAGED,  # SQLITE_CORRUPT
    13: DatabaseFault.FULL,  # SQLITE_FULL
    14: DatabaseFault.MISSING,  # SQLITE_CANTOPEN
    26: DatabaseFault.DAMAGED,  # SQLITE_NOTADB
}


class DatabaseUnavailable(Exception):
    """The database refused a read or write; whatever was being written was rolled back."""

    def __init__(self, fault: DatabaseFault, detail: str = "") -> None:
        super().__init__(f"database {fault.value}: {detail}" if detail else f"database {fault}")
        self.fault = fault
        self.detail = detail


def fault_of(error: BaseException) -> DatabaseFault | None:
    """The fault behind an exception from SQLite (None when it is a bug, not the file)."""
    if isinstance(error, DatabaseUnavailable):
        return error.fault
    if not isinstance(error, sqlite3.Error):
        return None
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int) and (code & 0xFF) in _CODES:
        return _CODES[code & 0xFF]
    message = str(error).lower()
    if "locked" in message or "busy" in message:
        return DatabaseFault.BUSY
    if "full" in message:
        return DatabaseFault.FULL
    if "malformed" in message or "not a database" in message:
        return DatabaseFault.DAMAGED
    if "readonly" in message or "read-only" in message:
        return DatabaseFault.READ_ONLY
    if "disk i/o" in message:
        return DatabaseFault.IO
    return None


class WriteWaits:
    """How long a write waits for the write lock, and how it pauses between tries.

    The waiting happens on the event loop, never on the database's thread, so reads and
    other updates go on while a write waits. Tests replace `now` and `pause` with a clock
    of their own.
    """

    first_pause = 0.01
    longest_pause = 0.2

    def __init__(self, budget: float = 4.0) -> None:
        self.budget = budget

    def now(self) -> float:
        """Seconds on a monotonic clock."""
        return time.monotonic()

    async def pause(self, seconds: float) -> None:
        """Wait `seconds` without holding anything."""
        await asyncio.sleep(seconds)
