"""The rig the fault benchmarks share (bench/faults.py, bench/faults_files.py); prints nothing.

The real Application on a database file, answering over HTTP to the fake Bot API; roster
entries added in one write; a file system that can be filled and freed.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402

from bot.app import build_application, on_shutdown, on_startup  # noqa: E402
from bot.config import Settings  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.timestamps import to_db  # noqa: E402
from tests.http_bot_api import TOKEN, HttpBotApi  # noqa: E402

__all__ = [
    "ADMIN",
    "ROOT",
    "Bot",
    "add_people",
    "fill_disk",
    "first_write_after",
    "free_disk",
    "mounted_small_fs",
    "real_disk",
    "time_now",
]

ADMIN = 5000


async def add_people(db: Database, count: int, role: str, first: int) -> list[int]:
    now = to_db(time_now())
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO persons (name, unit, role, telegram_id, language, created_at,"
            " updated_at) VALUES (?, '', ?, ?, 'en', ?, ?)",
            [(f"P{first + n}", role, first + n, now, now) for n in range(count)],
        )
    return [first + n for n in range(count)]


def time_now() -> Any:
    from datetime import UTC, datetime

    return datetime.now(UTC)


class Bot:
    """The real Application on `db_path`, answering over HTTP to the fake Bot API."""

    def __init__(self, http: HttpBotApi, db_path: Path, rate: float) -> None:
        settings = Settings(
            token=TOKEN,
            api_base_url=f"http://127.0.0.1:{http.port}/bot",
            db_path=db_path,
            admin_ids=frozenset({ADMIN}),
            broadcast_rate=rate,
        )
        self.http = http
        self.app = build_application(settings)
        self.errors: list[BaseException] = []

        async def collect(update: object, context: Any) -> None:
            self.errors.append(context.error)

        self.app.add_error_handler(collect)

    async def __aenter__(self) -> Bot:
        await self.app.initialize()
        await on_startup(self.app)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await on_shutdown(self.app)
        await self.app.shutdown()

    async def feed(self, payload: dict[str, Any]) -> None:
        await self.app.process_update(Update.de_json(payload, self.app.bot))

    def answers_since(self, start: int, chat_id: int | None = None) -> list[str]:
        found = []
        for call in self.http.calls[start:]:
            if call.method == "answerCallbackQuery":
                found.append(str(call.params.get("text", "")))
            elif chat_id is not None and call.chat_id == chat_id and call.method == "sendMessage":
                found.append(call.text)
        return found


async def first_write_after(db: Database, start: float) -> float:
    """Seconds from `start` until a write goes through."""
    while True:
        try:
            await db.write_one("UPDATE persons SET updated_at = updated_at WHERE id = 1")
            return time.monotonic() - start
        except Exception:
            await asyncio.sleep(0.05)


@contextlib.contextmanager
def mounted_small_fs(where: Path) -> Iterator[Path | None]:
    """A 64 MB tmpfs at `where` when this process may mount one, else a plain folder."""
    where.mkdir(parents=True, exist_ok=True)
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(where)], capture_output=True
        ).returncode
        == 0
    )
    global REAL_DISK
    REAL_DISK = mounted
    try:
        yield where
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(where)], capture_output=True)


REAL_DISK = False


def fill_disk(folder: Path, db: Database) -> Path | None:
    """Fill the file system holding the database (or cap the file where none can be mounted)."""
    if not REAL_DISK:
        asyncio.get_event_loop().create_task(_cap(db))
        return None
    filler = folder / "filler"
    for size in (65536, 512, 1):
        with filler.open("ab", buffering=0) as file, contextlib.suppress(OSError):
            while True:
                file.write(b"\0" * size)
    return filler


async def _cap(db: Database) -> None:
    row = await db.fetchone("PRAGMA page_count")
    await db.fetchone(f"PRAGMA max_page_count = {int(row[0]) if row else 1}")


def free_disk(filler: Path | None, db: Database) -> None:
    if filler is not None:
        filler.unlink()
    else:
        asyncio.get_event_loop().create_task(db.fetchone("PRAGMA max_page_count = 1073741823"))


def real_disk() -> bool:
    """Whether the last `mounted_small_fs` is a real (tmpfs) file system."""
    return REAL_DISK


if __name__ == "__main__":
    print(__doc__.splitlines()[0])
