"""What whoever runs the bot sees on its terminal: one line per record, never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from bot.transport import ApiCall, ApiError
from tests.http_bot_api import TOKEN, HttpBotApi, serve_bot_api

ROOT = Path(__file__).resolve().parent.parent
STAMP = "20"  # every record starts with its date: 2026-...


def start(tmp_path: Path, api: HttpBotApi) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSOC_", "TELEGRAM_"))}
    env.update(
        ASSOC_DB_PATH=str(tmp_path / "association.sqlite3"),
        ASSOC_ADMIN_IDS="5000",
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{api.port}/bot",
        PYTHONPATH=str(ROOT),
        ASSOC_SEMANTIC_SEARCH="off",
    )
    return subprocess.Popen(
        [sys.executable, str(ROOT / "run_bot.py")],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_bot_api_failing_at_shut_down_is_logged_in_one_line_without_traceback(
    tmp_path: Path,
) -> None:
    stopping = False
    refused = threading.Event()

    with serve_bot_api() as api:
        fetch = api.responders["getUpdates"]

        def get_updates(call: ApiCall) -> Any:
            if stopping:  # the last fetch at shut-down (and any poll after the signal) fails
                refused.set()
                raise ApiError(502, "Bad Gateway")
            return fetch(call)

        api.responders["getUpdates"] = get_updates
        process = start(tmp_path, api)
        api.wait_for("getUpdates", timeout=60)
        stopping = True
        assert refused.wait(timeout=30)  # a poll has failed: the bot logged it
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)

    text = stderr.decode()
    assert process.returncode == 0, text[-2000:]
    assert "Bad Gateway" in text, text[-2000:]  # the failure is reported...
    assert "Traceback" not in text and 'File "' not in text, text[-2000:]  # ...in one line
    lines = [line for line in text.splitlines() if line.strip()]
    assert all(line.startswith(STAMP) for line in lines), text[-2000:]
