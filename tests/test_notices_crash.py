"""Crash safety: run_bot.py killed (SIGKILL) at several points of a delivery, then restarted."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.delivery_engine import max_in_flight
from bot.transport import ApiCall, ApiError
from storage.database import Database
from storage.timestamps import to_db
from tests.http_bot_api import TOKEN, HttpBotApi, serve_bot_api

ROOT = Path(__file__).resolve().parent.parent
ADMIN = 5000
FIRST = 10_000
RECIPIENTS = 240
RATE = 60
IN_FLIGHT_BOUND = max_in_flight(RATE)
BLOCKED = {FIRST + 7, FIRST + 77}
NEVER_STARTED = {FIRST + 50, FIRST + 150}
TEXT = "Crash-safe notice"
TERMINAL = ("sent", "unconfirmed", "blocked", "never_started", "failed", "cancelled")


def seed_roster(db_path: Path, first_chat: int, members: int) -> datetime:
    """A migrated database: one secretariat member, then MEMBERS members from chat FIRST_CHAT on."""

    async def migrate() -> None:
        db = await Database.open(db_path)
        await db.close()

    asyncio.run(migrate())
    now = datetime.now(UTC)
    stamp = to_db(now)
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute(
            "INSERT INTO persons (id, name, role, telegram_id, language, created_at, updated_at)"
            " VALUES (1, 'Sec', 'secretariat', ?, 'en', ?, ?)",
            (ADMIN, stamp, stamp),
        )
        connection.executemany(
            "INSERT INTO persons (id, name, unit, role, telegram_id, language, created_at,"
            " updated_at) VALUES (?, ?, 'Unit', 'member', ?, 'en', ?, ?)",
            [(2 + n, f"M{n}", first_chat + n, stamp, stamp) for n in range(members)],
        )
    connection.close()
    return now


def seed(db_path: Path) -> None:
    """A roster of members and one notice already due, as if scheduled before a stop."""
    now = seed_roster(db_path, FIRST, RECIPIENTS)
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute(
            "INSERT INTO notices (author_person_id, author_chat_id, author_language, audience,"
            " category, text_en, status, due_at, created_at)"
            " VALUES (1, ?, 'en', 'all', 'official', ?, 'scheduled', ?, ?)",
            (ADMIN, TEXT, to_db(now - timedelta(minutes=1)), to_db(now)),
        )
    connection.close()


def read_outbox(db_path: Path, table: str) -> dict[int, str]:
    """chat_id -> state of an outbox table, read from the database as it is on disk."""
    connection = sqlite3.connect(db_path)
    try:
        rows = connection.execute(f"SELECT chat_id, state FROM {table}").fetchall()
    finally:
        connection.close()
    return {int(chat): state for chat, state in rows}


def outbox(db_path: Path) -> dict[int, str]:
    """chat_id -> state of the notice outbox."""
    return read_outbox(db_path, "notice_outbox")


def notice_sends(api: HttpBotApi) -> list[int]:
    with api.lock:
        return [
            int(call.chat_id or 0)
            for call in api.calls
            if call.method == "sendMessage" and call.text == TEXT
        ]


def start(tmp_path: Path, api: HttpBotApi) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSOC_", "TELEGRAM_"))}
    env.update(
        ASSOC_DB_PATH=str(tmp_path / "association.sqlite3"),
        ASSOC_ADMIN_IDS=str(ADMIN),
        ASSOC_BROADCAST_RATE=str(RATE),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{api.port}/bot",
        PYTHONPATH=str(ROOT),
        PTB_TIMEDELTA="1",
        ASSOC_SEMANTIC_SEARCH="off",
    )
    return subprocess.Popen(
        [sys.executable, str(ROOT / "run_bot.py")],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_until(condition: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise TimeoutError("the delivery did not get there in time")
        time.sleep(0.01)


def test_sigkill_mid_delivery_loses_nobody_and_repeats_only_in_flight_sends(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "association.sqlite3"
    seed(db_path)

    def respond(call: ApiCall) -> None:
        time.sleep(0.004)  # a little latency, so kills land with sends in flight
        if call.chat_id in BLOCKED:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if call.chat_id in NEVER_STARTED:
            raise ApiError(400, "Bad Request: chat not found")

    with serve_bot_api() as api:
        api.responders["sendMessage"] = respond
        kills = []
        for threshold in (30, 100, 170):
            process = start(tmp_path, api)
            wait_until(lambda n=threshold: len(notice_sends(api)) >= n)
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=10)
            time.sleep(0.2)  # requests the server already read finish being answered
            kills.append((outbox(db_path), Counter(notice_sends(api))))

        process = start(tmp_path, api)
        try:
            wait_until(lambda: all(s in TERMINAL for s in outbox(db_path).values()))
            wait_until(lambda: any("finished" in c.text for c in api.sent(ADMIN)))
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
        final = Counter(notice_sends(api))

    states = outbox(db_path)
    assert len(states) == RECIPIENTS + 1
    assert all(state in TERMINAL for state in states.values())
    assert {c for c, s in states.items() if s == "blocked"} == BLOCKED
    assert {c for c, s in states.items() if s == "never_started"} == NEVER_STARTED
    assert {c for c, s in states.items() if s == "sent"} == set(states) - BLOCKED - NEVER_STARTED

    total_in_flight = 0
    for snapshot, sent_at_kill in kills:
        # Whoever the database recorded as done at a kill was never sent to again.
        for chat, state in snapshot.items():
            if state in TERMINAL:
                assert final[chat] == sent_at_kill[chat], chat
        in_flight = [chat for chat, state in snapshot.items() if state == "sending"]
        assert len(in_flight) <= IN_FLIGHT_BOUND
        total_in_flight += len(in_flight)
    duplicates = {chat: n - 1 for chat, n in final.items() if n > 1}
    assert sum(duplicates.values()) <= total_in_flight
    for chat in duplicates:
        assert any(snapshot.get(chat) == "sending" for snapshot, _ in kills)
    # The kills really landed mid-delivery.
    assert all(0 < len(sent) < RECIPIENTS for _, sent in kills)
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert "Traceback" not in stderr.decode(), stderr.decode()[-2000:]
    report = [c.text for c in api.sent(ADMIN) if "finished" in c.text][-1]
    assert "delivered: 237" in report
    assert "blocked the bot: 2" in report and "never started the bot: 2" in report


def test_sigterm_mid_delivery_records_the_sends_made_and_leaves_none_to_resend(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "association.sqlite3"
    seed(db_path)

    def respond(call: ApiCall) -> None:
        time.sleep(0.25)  # the fake's answer time: several sends are in flight at the signal

    with serve_bot_api() as api:
        api.responders["sendMessage"] = respond
        process = start(tmp_path, api)
        wait_until(lambda: len(notice_sends(api)) >= 40)
        process.send_signal(signal.SIGTERM)
        signalled = len(notice_sends(api))
        _, stderr = process.communicate(timeout=30)
        received = Counter(notice_sends(api))

    states = outbox(db_path)
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert "Traceback" not in stderr.decode(), stderr.decode()[-2000:]
    assert "sending" not in states.values()  # nothing left to resend at the next start
    assert {chat for chat, state in states.items() if state == "sent"} == set(received)
    assert len(received) - signalled <= 2  # no new recipient taken after the signal
    assert "pending" in states.values()  # the rest waits for the next start
