"""`run_bot.py roster import` as a process, and the console speaking as a roster entry."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.test_run_modes import ROOT, bot_env


def run(
    tmp_path: Path, *args: str, stdin: str = "", **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), *args],
        cwd=tmp_path,
        env=bot_env(tmp_path, **extra),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_roster_import_prints_links_with_the_configured_username(tmp_path: Path) -> None:
    csv_file = tmp_path / "roster.csv"
    csv_file.write_text(
        "name,unit,role,telegram_id,language\n"
        "Li Hua,Yunnan University,council,,zh\n"
        "Bad,Unit,chief,,\n",
        encoding="utf-8",
    )
    result = run(tmp_path, "roster", "import", str(csv_file), ASSOC_BOT_USERNAME="@kmyx_bot")
    assert result.returncode == 1
    assert "1 new, 0 updated, 0 unchanged, 1 rejected." in result.stdout
    assert "https://t.me/kmyx_bot?start=" in result.stdout
    assert f'{csv_file}:3: role "chief" is not member, council or secretariat' in result.stderr
    assert "Traceback" not in result.stderr

    console = run(tmp_path, "console", "--user", "1", stdin="/help\n")
    assert console.returncode == 0, console.stderr
    assert "理事" in console.stdout and "/meetings" in console.stdout
    assert "/members" not in console.stdout


def test_bad_bot_username_stops_with_one_line(tmp_path: Path) -> None:
    result = run(tmp_path, "roster", "import", "x.csv", ASSOC_BOT_USERNAME="not a bot")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "ASSOC_BOT_USERNAME" in line


def test_missing_file_is_one_line_and_status_2(tmp_path: Path) -> None:
    result = run(tmp_path, "roster", "import", "nope.csv")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert "nope.csv" in line


def test_bot_username_setting_is_validated(tmp_path: Path) -> None:
    import pytest

    from bot.config import ConfigError, Settings

    base = {"ASSOC_DB_PATH": str(tmp_path / "db.sqlite3")}
    none = tmp_path / "no.env"
    assert Settings.from_env(base, dotenv_path=none).bot_username == "youxie_bot"
    named = Settings.from_env({**base, "ASSOC_BOT_USERNAME": "@KunmingYX_bot"}, dotenv_path=none)
    assert named.bot_username == "KunmingYX_bot"
    for bad in ("kmyx", "bot", "has space_bot", "x" * 40 + "bot"):
        with pytest.raises(ConfigError, match="ASSOC_BOT_USERNAME"):
            Settings.from_env({**base, "ASSOC_BOT_USERNAME": bad}, dotenv_path=none)
