#!/usr/bin/env python3
"""Telegram-side faults, from outside: a slow Bot API, a clean stop, a kill during reminders.

Runs `run_bot.py` as a child process (a token, and TELEGRAM_API_BASE_URL pointing at a fake
Bot API on 127.0.0.1 that enforces the configured rate R itself: more than R sends in any
sliding second get a 429) and prints:

1. delivery of a notice at R=25/s while each Bot API call is answered after 0.3-0.7 s, then
   after 1-2 s with one call in 40 stalling 5 s: achieved rate / R (target >= 0.95) and the
   429s received (target 0);
2. SIGTERM during a delivery (answers 0.3-0.7 s): how long the stop took, sends made after
   the signal, rows left `sending`; then a restart to the end: resends (target 0);
3. SIGKILL 1 s into a reminder to 300 members (answers 0.3-0.7 s), then a restart: members
   never reminded (target 0) and reminded twice (at most the reminders in flight at the kill).

Usage: python bench/faults_telegram.py [--recipients 500] [--only 1|2|3]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from delivery import ADMIN, FIRST, TEXT, TOKEN, FakeTelegram, seed, serve  # noqa: E402

from storage.timestamps import to_db  # noqa: E402

RATE = 25.0
REMINDED = 300
TITLE = "Bench meeting"


class SlowTelegram(FakeTelegram):
    """The rate-enforcing fake, answering each accepted send after `latency()` seconds."""

    def __init__(self, rate: float, latency: Callable[[], float]) -> None:
        super().__init__(rate)
        self.latency = latency
        self.draw_lock = threading.Lock()
        self.sends: list[tuple[float, int, str]] = []  # every accepted send: (time, chat, text)

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        status, payload = super().answer(method, params)
        if method == "sendMessage" and status == 200:
            with self.lock:
                self.sends.append(
                    (time.monotonic(), int(params.get("chat_id") or 0), str(params.get("text", "")))
                )
            with self.draw_lock:
                wait = self.latency()
            time.sleep(wait)  # the answer takes its time; other calls go on meanwhile
        return status, payload

    def count(self, text: str) -> Counter[int]:
        with self.lock:
            return Counter(chat for _, chat, sent in self.sends if text in sent)


def uniform(low: float, high: float, seed_value: int = 1) -> Callable[[], float]:
    draw = random.Random(seed_value)
    return lambda: draw.uniform(low, high)


def with_stalls(low: float, high: float, stall: float, every: int) -> Callable[[], float]:
    draw = random.Random(2)
    return lambda: stall if draw.randrange(every) == 0 else draw.uniform(low, high)


def start(db_path: Path, port: int, cwd: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSOC_", "TELEGRAM_"))}
    env.update(
        ASSOC_DB_PATH=str(db_path),
        ASSOC_ADMIN_IDS=str(ADMIN),
        ASSOC_BROADCAST_RATE=str(RATE),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot",
        PYTHONPATH=str(ROOT),
        PTB_TIMEDELTA="1",
        ASSOC_SEMANTIC_SEARCH="off",  # no model loading beside the deliveries measured
    )
    return subprocess.Popen(
        [sys.executable, str(ROOT / "run_bot.py")],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def states(db_path: Path, table: str) -> Counter[str]:
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        rows = connection.execute(f"SELECT state, COUNT(*) FROM {table} GROUP BY state")
        return Counter({state: int(n) for state, n in rows})
    except sqlite3.OperationalError:
        return Counter()
    finally:
        connection.close()


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def stop(child: subprocess.Popen[bytes]) -> str:
    child.send_signal(signal.SIGTERM)
    _, stderr = child.communicate(timeout=60)
    return stderr.decode()


def rate_run(recipients: int, latency: Callable[[], float]) -> dict[str, Any]:
    """One delivery to `recipients` against a slow fake; achieved rate and 429s."""
    fake = SlowTelegram(RATE, latency)
    server, port = serve(fake)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        seed(db_path, recipients)
        child = start(db_path, port, tmp)
        finished = wait_until(
            lambda: states(db_path, "notice_outbox")["sent"] >= recipients, recipients / RATE * 3
        )
        stderr = stop(child)
    server.shutdown()
    times = sorted(at for at, _, text in fake.sends if text == TEXT)
    achieved = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    return {
        "finished": finished,
        "sent": len(times),
        "achieved": achieved,
        "ratio": achieved / RATE,
        "rejected": len(fake.rejected),
        "stderr": stderr[-1500:],
    }


def sigterm_run(recipients: int) -> dict[str, Any]:
    """SIGTERM 4 s into a delivery, then a restart to the end."""
    fake = SlowTelegram(RATE, uniform(0.3, 0.7))
    server, port = serve(fake)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        seed(db_path, recipients)
        child = start(db_path, port, tmp)
        wait_until(lambda: sum(fake.count(TEXT).values()) > 0, 60)
        time.sleep(4.0)
        signalled = time.monotonic()
        child.send_signal(signal.SIGTERM)
        _, first_stderr = child.communicate(timeout=60)
        stop_took = time.monotonic() - signalled
        with fake.lock:
            late = sum(1 for at, _, text in fake.sends if text == TEXT and at > signalled + 0.05)
        after_stop = states(db_path, "notice_outbox")
        before_restart = sum(fake.count(TEXT).values())
        child = start(db_path, port, tmp)
        finished = wait_until(
            lambda: states(db_path, "notice_outbox")["sent"] >= recipients, recipients / RATE * 3
        )
        stderr = stop(child)
    server.shutdown()
    counts = fake.count(TEXT)
    return {
        "finished": finished,
        "stop_took": stop_took,
        "late": late,
        "sending_left": after_stop["sending"],
        "sent_before_restart": before_restart,
        "resends": sum(n - 1 for n in counts.values() if n > 1),
        "people": len(counts),
        "resending_logged": "in flight at the last stop" in stderr,
        "stderr": (first_stderr.decode() + stderr)[-1500:],
    }


def seed_meeting(db_path: Path, invited: int) -> None:
    """An open meeting with `invited` non-responders and its deadline reminder due now."""
    seed(db_path, invited)  # the roster (and a notice, already sent: marked done)
    now = datetime.now(UTC)
    stamp = to_db(now)
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute("UPDATE notices SET status = 'done'")
        connection.execute(
            "INSERT INTO meetings (id, title, starts_at, place, deadline, audience, status,"
            " created_by, created_at, updated_at) VALUES (1, ?, ?, 'Hall', ?, 'members',"
            " 'open', 1, ?, ?)",
            (TITLE, to_db(now + timedelta(days=3)), to_db(now + timedelta(days=2)), stamp, stamp),
        )
        connection.execute(
            "INSERT INTO invitations (meeting_id, person_id, delivery, chat_id)"
            " SELECT 1, id, 'sent', telegram_id FROM persons WHERE role = 'member'"
        )
        connection.execute(
            "INSERT INTO meeting_reminders (meeting_id, kind, due_at, status)"
            " VALUES (1, 'deadline', ?, 'pending')",
            (to_db(now - timedelta(minutes=1)),),
        )
    connection.close()


def sigkill_reminder_run(invited: int) -> dict[str, Any]:
    """SIGKILL 1 s after the first reminder went out, then a restart to the end."""
    fake = SlowTelegram(RATE, uniform(0.3, 0.7))
    server, port = serve(fake)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        seed_meeting(db_path, invited + 1)  # the admin is not invited
        child = start(db_path, port, tmp)
        if not wait_until(lambda: sum(fake.count(TITLE).values()) > 0, 120):
            print("  the round had not started 120 s after the start; killed anyway")
        time.sleep(1.0)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=10)
        time.sleep(1.0)  # answers already on their way arrive
        at_kill = states(db_path, "meeting_outbox")
        reminded_at_kill = len(fake.count(TITLE))
        child = start(db_path, port, tmp)
        finished = wait_until(
            lambda: (
                sum(states(db_path, "meeting_outbox").values()) == invited
                and states(db_path, "meeting_outbox")["sent"] == invited
            ),
            invited / RATE * 4,
        )
        stderr = stop(child)
    server.shutdown()
    counts = fake.count(TITLE)
    members = {FIRST + n for n in range(invited)}
    return {
        "finished": finished,
        "reminded_at_kill": reminded_at_kill,
        "in_flight_at_kill": at_kill["sending"],
        "missed": len(members - set(counts)),
        "duplicated": sum(n - 1 for n in counts.values() if n > 1),
        "stderr": stderr[-1500:],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=500)
    parser.add_argument("--only", type=int, choices=(1, 2, 3), help="run one scenario")
    args = parser.parse_args()
    wanted = {args.only} if args.only else {1, 2, 3}
    if 1 in wanted:
        print(f"== 1. {args.recipients} recipients at R={RATE:g}/s, fake enforcing R")
        for label, latency in (
            ("answers after 0.3-0.7 s", uniform(0.3, 0.7)),
            ("answers after 1-2 s, 1 in 40 stalling 5 s", with_stalls(1.0, 2.0, 5.0, 40)),
        ):
            result = rate_run(args.recipients, latency)
            print(
                f"{label}: delivered {result['sent']}, achieved {result['achieved']:.2f}/s,"
                f" achieved/R = {result['ratio']:.3f} (target >= 0.95),"
                f" 429s = {result['rejected']} (target 0)"
            )
            if not result["finished"]:
                print("  did not finish in time; bot stderr:\n" + result["stderr"])
    if 2 in wanted:
        print(f"\n== 2. SIGTERM 4 s into a delivery to {args.recipients} (answers 0.3-0.7 s)")
        result = sigterm_run(args.recipients)
        print(
            f"stop took {result['stop_took']:.2f}s, sends after the signal {result['late']},"
            f" rows left sending {result['sending_left']} (target 0), delivered before the"
            f" stop {result['sent_before_restart']}; after a restart to the end:"
            f" {result['people']} people reached, resends = {result['resends']} (target 0),"
            f" 'resending' logged at the restart: {result['resending_logged']}"
        )
        if not result["finished"]:
            print("  did not finish in time; bot stderr:\n" + result["stderr"])
    if 3 in wanted:
        print(f"\n== 3. SIGKILL 1 s into a reminder to {REMINDED} (answers 0.3-0.7 s), restart")
        result = sigkill_reminder_run(REMINDED)
        print(
            f"reminded at the kill {result['reminded_at_kill']}, in flight at the kill"
            f" {result['in_flight_at_kill']}; after the restart: missed = {result['missed']}"
            f" (target 0), reminded twice = {result['duplicated']} (at most the in-flight)"
        )
        if not result["finished"]:
            print("  did not finish in time; bot stderr:\n" + result["stderr"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
