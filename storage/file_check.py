"""Before the bot or a subcommand uses the database file: is it whole, writable and free?"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from storage.faults import DatabaseFault, fault_of

__all__ = ["SQLITE_HEADER", "check_database_file", "describe_fault"]

SQLITE_HEADER = b"SQLite format 3\x00"
RESTORE_HINT = "restore it from a backup (see README, 'Restoring from a backup')"


def describe_fault(path: Path, fault: DatabaseFault, detail: str = "") -> str:
    """One line saying what is wrong with the database file and what to do."""
    if fault is DatabaseFault.BUSY:
        return (
            f"database {path} is locked by another program{detail}; try again when it has finished"
        )
    if fault is DatabaseFault.FULL:
        return f"database {path} cannot grow: the disk is full; free some space and try again"
    if fault is DatabaseFault.READ_ONLY:
        return f"database {path} is read-only: the bot must be able to write it and its folder"
    if fault is DatabaseFault.DAMAGED:
        return f"database {path} is damaged ({detail or 'not a database'}); {RESTORE_HINT}"
    if fault is DatabaseFault.MISSING:
        return f"database {path} cannot be opened ({detail or 'no such file or folder'})"
    return f"database {path} cannot be read or written ({detail or 'disk I/O error'})"


def _header_problem(path: Path) -> str | None:
    size = path.stat().st_size
    if size == 0:
        return None  # a new, empty database
    with path.open("rb") as file:
        header = file.read(100)
    if not header.startswith(SQLITE_HEADER):
        return "it is not an SQLite database"
    if len(header) < 100:
        return f"truncated to {size} bytes"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if page_size and pages and size < page_size * pages and not _wal_of(path).exists():
        return f"truncated: {size} of {page_size * pages} bytes"
    return None


def _wal_of(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def check_database_file(path: Path, *, write: bool = True, wait: float = 4.0) -> str | None:
    """None when the database at `path` can be used, else one line saying what is wrong.

    A missing file is fine (it is created) when its folder can be; `write` also checks that
    the file can be written and is not held by another program (waiting `wait` seconds).
    """
    if not path.exists():
        return None
    if path.is_dir():
        return describe_fault(path, DatabaseFault.MISSING, "it is a folder")
    try:
        problem = _header_problem(path)
    except OSError as error:
        return describe_fault(path, DatabaseFault.IO, error.strerror or str(error))
    if problem is not None:
        return describe_fault(path, DatabaseFault.DAMAGED, problem)
    try:
        connection = sqlite3.connect(path, timeout=0, isolation_level=None)
    except sqlite3.Error as error:
        return describe_fault(path, fault_of(error) or DatabaseFault.IO, str(error))
    try:
        return _check_open(path, connection, write=write, wait=wait)
    finally:
        connection.close()


def _check_open(
    path: Path, connection: sqlite3.Connection, *, write: bool, wait: float
) -> str | None:
    deadline = time.monotonic() + wait
    while True:
        try:
            rows = connection.execute("PRAGMA quick_check(1)").fetchall()
            if rows and rows[0][0] != "ok":
                return describe_fault(path, DatabaseFault.DAMAGED, str(rows[0][0]))
            if write:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("CREATE TABLE main.file_check_probe (x)")  # rolled back
                connection.execute("ROLLBACK")
            return None
        except sqlite3.Error as error:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            fault = fault_of(error) or DatabaseFault.DAMAGED
            if fault is DatabaseFault.BUSY and time.monotonic() < deadline:
                time.sleep(0.05)
                continue
            detail = f" (waited {wait:g} s)" if fault is DatabaseFault.BUSY else str(error)
            return describe_fault(path, fault, detail)
