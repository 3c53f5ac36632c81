"""Crash safety of meeting rounds: run_bot.py killed (SIGKILL) while sending the invitations of
a meeting, or one of its reminders, then restarted."""

from __future__ import annotations

import signal
import sqlite3
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from bot.delivery_engine import max_in_flight
from bot.transport import ApiCall
from storage.timestamps import to_db
from tests.http_bot_api import HttpBotApi, serve_bot_api
from tests.test_notices_crash import RATE, read_outbox, seed_roster, start, wait_until

FIRST = 20_000
INVITED = 150
TITLE = "Crash meeting"
TERMINAL = ("sent", "unconfirmed", "blocked", "never_started", "failed")


def seed(db_path: Path, kind: str) -> None:
    """An open meeting as a crash left it: its invitations being sent (`invitation`), or
    sent and its deadline reminder already due (`deadline`)."""
    now = seed_roster(db_path, FIRST, INVITED)
    stamp = to_db(now)
    delivery = "pending" if kind == "invitation" else "sent"
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
            " VALUES (1, ?, ?, ?)",
            [(2 + n, delivery, FIRST + n) for n in range(INVITED)],
        )
        if kind == "invitation":  # the round written as the meeting was opened
            connection.execute(
                "INSERT INTO meeting_rounds (id, meeting_id, kind, started_at)"
                " VALUES (1, 1, 'invitation', ?)",
                (stamp,),
            )
            connection.executemany(
                "INSERT INTO meeting_outbox (round_id, person_id, chat_id, language)"
                " VALUES (1, ?, ?, 'en')",
                [(2 + n, FIRST + n) for n in range(INVITED)],
            )
        else:
            connection.execute(
                "INSERT INTO meeting_reminders (meeting_id, kind, due_at, status)"
                " VALUES (1, 'deadline', ?, 'pending')",
                (to_db(now - timedelta(minutes=1)),),
            )
    connection.close()


def outbox(db_path: Path) -> dict[int, str]:
    """chat_id -> state of the meeting rounds' outbox."""
    return read_outbox(db_path, "meeting_outbox")


def invitations(db_path: Path) -> set[tuple[str, bool]]:
    """The invitations' deliveries, and whether each knows its message."""
    connection = sqlite3.connect(db_path)
    try:
        rows = connection.execute("SELECT delivery, message_id FROM invitations").fetchall()
    finally:
        connection.close()
    return {(delivery, message_id is not None) for delivery, message_id in rows}


def sent(api: HttpBotApi, marker: str) -> list[int]:
    with api.lock:
        return [
            int(call.chat_id or 0)
            for call in api.calls
            if call.method == "sendMessage" and marker in call.text and TITLE in call.text
        ]


@pytest.mark.parametrize(
    ("kind", "marker"), [("invitation", "Invitation"), ("deadline", "Reminder")]
)
def test_sigkill_during_a_round_reaches_everyone_once_but_the_in_flight(
    tmp_path: Path, kind: str, marker: str
) -> None:
    db_path = tmp_path / "association.sqlite3"
    seed(db_path, kind)

    def respond(call: ApiCall) -> None:
        time.sleep(0.01)  # a little latency, so the kill lands with reminders in flight

    with serve_bot_api() as api:
        api.responders["sendMessage"] = respond
        process = start(tmp_path, api)
        wait_until(lambda: len(sent(api, marker)) >= 40)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=10)
        time.sleep(0.2)  # requests the server already read finish being answered
        at_kill, sent_at_kill = outbox(db_path), Counter(sent(api, marker))

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
        final = Counter(sent(api, marker))

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
    if kind == "invitation":  # each invitation knows its message, for its buttons' redraws
        assert invitations(db_path) == {("sent", True)}
