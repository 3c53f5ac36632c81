"""A damaged, read-only or locked database file: one line naming it, exit 2, no traceback."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot import cli
from storage.database import Database
from tests.faults_support import InstantWaits, OtherProcessLock

COMMANDS = [
    [],  # the bot itself (console mode without a token)
    ["console"],
    ["ask", "What is the mission?"],
    ["import-articles", "ARTICLES"],
    ["roster", "import", "ROSTER"],
    ["roster", "export", "OUT.csv"],
    ["export-rsvps", "1"],
    ["backup", "OUT.sqlite3"],
]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real database file the commands are pointed at."""
    path = tmp_path / "association.sqlite3"

    async def create() -> None:
        db = await Database.open(path)
        await db.close()

    asyncio.run(create())
    monkeypatch.setenv("ASSOC_DB_PATH", str(path))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.setattr(cli, "LOCK_WAIT", 0.2)
    (tmp_path / "ARTICLES").write_text("## Chapter 1\n### Article 1\nText.\n", encoding="utf-8")
    (tmp_path / "ROSTER").write_text("name,unit,role,telegram_id,language\nAnn,U,member,,en\n")
    monkeypatch.chdir(tmp_path)
    return path


def run(command: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(command)
    captured = capsys.readouterr()
    return code, captured.err + captured.out


def random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(40_000))


def truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("damage", [random_bytes, truncated], ids=["random", "truncated"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]) or "run")
def test_a_damaged_file_is_named_in_one_line(
    database: Path,
    command: list[str],
    damage: Callable[[Path], None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    for extra in ("-wal", "-shm"):
        database.with_name(database.name + extra).unlink(missing_ok=True)
    damage(database)
    code, output = run(command, capsys)
    assert code == 2
    assert output.strip().count("\n") == 0 and "Traceback" not in output
    assert f"database {database} is damaged" in output and "backup" in output


@pytest.fixture
def read_only(database: Path) -> Iterator[Path]:
    """The database file made read-only for real (immutable when we run as root)."""
    if os.geteuid() != 0:
        database.chmod(0o444)
        yield database
        database.chmod(0o644)
        return
    if subprocess.run(["chattr", "+i", str(database)], capture_output=True).returncode != 0:
        pytest.skip("running as root on a file system without immutable files")
    try:
        yield database
    finally:
        subprocess.run(["chattr", "-i", str(database)], check=True)


@pytest.mark.parametrize("command", COMMANDS[:-1], ids=lambda c: " ".join(c[:2]) or "run")
def test_a_read_only_file_is_named_in_one_line(
    read_only: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run(command, capsys)
    assert code == 2 and "Traceback" not in output
    assert output.strip() == (
        f"database {read_only} is read-only: the bot must be able to write it and its folder"
    )


def test_a_read_only_file_can_still_be_backed_up(
    read_only: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, output = run(["backup", str(tmp_path / "copy.sqlite3")], capsys)
    assert code == 0 and "Backed up" in output


@pytest.mark.parametrize("command", COMMANDS[:-1], ids=lambda c: " ".join(c[:2]) or "run")
def test_a_file_locked_by_another_program_is_named_in_one_line(
    database: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with OtherProcessLock(database):
        code, output = run(command, capsys)
    assert code == 2 and "Traceback" not in output
    assert output.strip() == (
        f"database {database} is locked by another program (waited 0.2 s);"
        " try again when it has finished"
    )


def test_a_lock_taken_during_an_import_ends_it_in_one_line(
    database: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("storage.database.WriteWaits", InstantWaits)
    monkeypatch.setattr(cli, "check_database_file", lambda *args, **kwargs: None)
    with OtherProcessLock(database):  # taken after the check, while the import writes
        code, output = run(["roster", "import", "ROSTER"], capsys)
    assert code == 2 and "Traceback" not in output
    assert f"database {database} is locked by another program" in output
    assert output.strip().count("\n") == 0


def test_the_bot_process_reports_a_damaged_file_without_a_traceback(
    database: Path, tmp_path: Path
) -> None:
    random_bytes(database)
    result = subprocess.run(
        [sys.executable, str(Path(cli.__file__).parent.parent / "run_bot.py")],
        capture_output=True,
        text=True,
        env={**os.environ, "ASSOC_DB_PATH": str(database), "TELEGRAM_BOT_TOKEN": "1:x"},
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.strip().endswith(
        f"database {database} is damaged"
        " (it is not an SQLite database); restore it from a backup (see README,"
        " 'Restoring from a backup')"
    )
