"""Crash safety of reminders: run_bot.py killed (SIGKILL) during a reminder round, restarted."""

from __future__ import annotations

import signal
import sqlite3
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from bot.delivery_engine import max_in_flight
from bot.transport import ApiCall
from storage.timestamps import to_db
from tests.http_bot_api import HttpBotApi, serve_bot_api
from tests.test_notices_crash import RATE, read_outbox, seed_roster, start, wait_until

FIRST = 20_000
INVITED = 150
TITLE = "Crash meeting"
TERMINAL = ("sent", "unconfirmed", "blocked", "never_started", "failed")


def seed(db_path: Path) -> None:
    """An open meeting whose invitations went out, and its deadline reminder already due."""
    now = seed_roster(db_path, FIRST, INVITED)
    stamp = to_db(now)
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute(
            "INSERT INTO meetings (id, title, starts_at, place, deadline, audience, status,"
            " created_by, created_at, updated_at) VALUES (1, ?, ?, 'Hall', ?, 'members',"
            " 'open', 1, ?, ?)",
            (TITLE, to_db(now + timedelta(days=3)), to_db(now + timedelta(days=2)), stamp, stamp),
        )
        connection.executemany(
            "INSERT INTO invitations (meeting_id, person_id, delivery, chat_id)"
            " VALUES (1, ?, 'sent', ?)",
            [(2 + n, FIRST + n) for n in range(INVITED)],
        )
        connection.execute(
            "INSERT INTO meeting_reminders (meeting_id, kind, due_at, status)"
            " VALUES (1, 'deadline', ?, 'pending')",
            (to_db(now - timedelta(minutes=1)),),
        )
    connection.close()


def outbox(db_path: Path) -> dict[int, str]:
    """chat_id -> state of the reminder outbox."""
    return read_outbox(db_path, "meeting_outbox")


def reminders_sent(api: HttpBotApi) -> list[int]:
    with api.lock:
        return [
            int(call.chat_id or 0)
            for call in api.calls
            if call.method == "sendMessage" and "Reminder" in call.text and TITLE in call.text
        ]


def test_sigkill_during_a_reminder_round_reminds_everyone_once_but_the_in_flight(
    tmp_path: Path,
) -> None:
    db_path = tmp_path / "association.sqlite3"
    seed(db_path)

    def respond(call: ApiCall) -> None:
        time.sleep(0.01)  # a little latency, so the kill lands with reminders in flight

    with serve_bot_api() as api:
        api.responders["sendMessage"] = respond
        process = start(tmp_path, api)
        wait_until(lambda: len(reminders_sent(api)) >= 40)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=10)
        time.sleep(0.2)  # requests the server already read finish being answered
        at_kill, sent_at_kill = outbox(db_path), Counter(reminders_sent(api))

        process = start(tmp_path, api)
        try:
            wait_until(
                lambda: (
                    len(outbox(db_path)) == INVITED
                    and all(s in TERMINAL for s in outbox(db_path).values())
                )
            )
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = process.communicate(timeout=30)
        final = Counter(reminders_sent(api))

    assert process.returncode == 0, stderr.decode()[-2000:]
    assert "Traceback" not in stderr.decode(), stderr.decode()[-2000:]
    assert 0 < len(sent_at_kill) < INVITED  # the kill landed mid-round
    assert set(final) == {FIRST + n for n in range(INVITED)}  # everyone reminded
    assert set(outbox(db_path).values()) == {"sent"}
    in_flight = {chat for chat, state in at_kill.items() if state == "sending"}
    assert len(in_flight) <= max_in_flight(RATE)
    for chat, state in at_kill.items():
        if state in TERMINAL:
            assert final[chat] == sent_at_kill[chat] == 1, chat  # recorded: never again
    duplicated = {chat for chat, n in final.items() if n > 1}
    assert duplicated <= in_flight
