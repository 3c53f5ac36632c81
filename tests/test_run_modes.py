"""run_bot.py as a process: polling against a fake Bot API, webhook mode, console, config errors."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.transport import UpdateFactory
from tests.http_bot_api import TOKEN, serve_bot_api

ROOT = Path(__file__).resolve().parent.parent


def bot_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A clean environment for run_bot.py on a temporary database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSOC_", "TELEGRAM_"))}
    env.update(
        {
            "ASSOC_DB_PATH": str(tmp_path / "db" / "association.sqlite3"),
            "ASSOC_SEMANTIC_SEARCH": "off",
            **extra,
        }
    )
    return env


def start_bot(tmp_path: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    """Start run_bot.py in `tmp_path` (so no .env of the project is read)."""
    return subprocess.Popen(
        [sys.executable, str(ROOT / "run_bot.py"), *args],
        cwd=tmp_path,
        env=bot_env(tmp_path, **extra),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_polling_answers_start_and_exits_cleanly_on_sigterm(tmp_path: Path) -> None:
    with serve_bot_api() as api:
        process = start_bot(
            tmp_path,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{api.port}/bot",
        )
        try:
            api.wait_for("getUpdates")
            api.push_update(UpdateFactory().message(UpdateFactory.user(77, "Wang"), "/start"))
            reply = api.wait_for("sendMessage")
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
    assert reply.chat_id == 77
    assert "Welcome, Wang" in reply.text
    assert process.returncode == 0, stderr
    assert "database closed" in stderr
    assert TOKEN not in stderr
    assert not (tmp_path / "db" / "association.sqlite3-wal").exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_webhook_rejects_a_request_without_the_secret_header(tmp_path: Path) -> None:
    port = free_port()
    with serve_bot_api() as api:
        process = start_bot(
            tmp_path,
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{api.port}/bot",
            ASSOC_WEBHOOK_URL="https://bot.example.org/telegram",
            ASSOC_WEBHOOK_PORT=str(port),
            ASSOC_WEBHOOK_SECRET="s3cret-token",
        )
        try:
            set_webhook = api.wait_for("setWebhook")
            assert process.stderr is not None
            for line in process.stderr:  # the server listens once the application has started
                if "Application started" in line:
                    break
            update = UpdateFactory().message(UpdateFactory.user(78, "Zhao"), "/start")
            body = json.dumps(update).encode()
            url = f"http://127.0.0.1:{port}/telegram"

            def post(headers: dict[str, str]) -> int:
                request = urllib.request.Request(
                    url, data=body, headers={"Content-Type": "application/json", **headers}
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        return int(response.status)
                except urllib.error.HTTPError as error:
                    return error.code

            assert post({}) == 403
            assert post({"X-Telegram-Bot-Api-Secret-Token": "wrong"}) == 403
            assert api.sent(78) == []
            assert post({"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}) == 200
            reply = api.wait_for("sendMessage")
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
    assert set_webhook.params["url"] == "https://bot.example.org/telegram"
    assert set_webhook.params["secret_token"] == "s3cret-token"
    assert reply.chat_id == 78
    assert process.returncode == 0, stderr


def test_console_runs_piped_input_and_exits_at_end_of_input(tmp_path: Path) -> None:
    process = start_bot(tmp_path, "console")
    stdout, stderr = process.communicate("/start\n/help\n/language\n2\n/help\n", timeout=60)
    assert process.returncode == 0, stderr
    assert "您好" in stdout
    assert "[1] 中文   [2] English" in stdout
    assert "Language set to English." in stdout
    assert "/newmeeting — call a meeting" in stdout
    assert "Traceback" not in stderr


def test_console_quit_exits_at_once_with_status_zero(tmp_path: Path) -> None:
    process = start_bot(tmp_path, "console")
    stdout, stderr = process.communicate("/quit\n/help\n", timeout=60)
    assert process.returncode == 0, stderr
    assert "命令列表" not in stdout


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ASSOC_ADMIN_IDS", "12,abc"),
        ("ASSOC_TIMEZONE", "Mars/Olympus"),
        ("ASSOC_DB_PATH", "/proc/no/such/dir/db.sqlite3"),
        ("ASSOC_BROADCAST_RATE", "fast"),
        ("ASSOC_NOTICE_APPROVAL", "3"),
        ("ASSOC_MISSED_GRACE", "soon"),
        ("ASSOC_NOTICE_CHANNEL", "our news channel"),
    ],
)
def test_bad_setting_prints_one_line_and_exits_2(tmp_path: Path, variable: str, value: str) -> None:
    process = start_bot(tmp_path, "console", **{variable: value})
    stdout, stderr = process.communicate("", timeout=60)
    assert process.returncode == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert variable in lines[0]
    assert "Traceback" not in stderr + stdout


def test_backup_copies_the_database_while_the_bot_runs(tmp_path: Path) -> None:
    import sqlite3

    process = start_bot(tmp_path, "console")
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("/start\n")
    process.stdin.flush()
    assert "Console chat" in process.stdout.readline()
    while "您好" not in process.stdout.readline():
        pass
    target = tmp_path / "copy.sqlite3"
    backup = subprocess.run(
        [sys.executable, str(ROOT / "run_bot.py"), "backup", str(target)],
        cwd=tmp_path,
        env=bot_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    process.communicate("/quit\n", timeout=60)
    assert backup.returncode == 0, backup.stderr
    with sqlite3.connect(target) as copy:
        [(count,)] = copy.execute("SELECT count(*) FROM persons WHERE telegram_id = 1")
    assert count == 1
