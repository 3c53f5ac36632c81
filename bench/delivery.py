#!/usr/bin/env python3
"""Notice delivery benchmark: paced rate, 429 pauses, outbox progress, and peak memory.

Runs `run_bot.py` as a child process against a fake Bot API on 127.0.0.1 that enforces the
configured rate R itself (more than R accepted sends in any sliding second get a 429), with
a notice already due in the database, and prints:

1. 5,000 recipients at R: achieved rate / R (target >= 0.97) and the 429s received (target 0),
   with the outbox snapshotted once a second;
2. the same with two injected flood waits (retry_after=2): requests that arrived during each
   pause, the pause measured, and the rate regained after it;
3. 10,000 recipients with 10,000 roster entries: the child's peak RSS (target <= 150 MB).

Usage: python bench/delivery.py [--rate 200] [--recipients 5000] [--big 10000] [--big-rate 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.database import Database  # noqa: E402
from storage.timestamps import to_db  # noqa: E402

TOKEN = "123456:BENCH"
ADMIN = 5000
FIRST = 100_000
TEXT = "Benchmark notice"
PACED = {"sendMessage", "editMessageText", "sendPhoto", "sendDocument"}


class FakeTelegram:
    """A Bot API that counts sends in a sliding second and answers 429 above `rate`."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.lock = threading.Lock()
        self.window: deque[float] = deque()
        self.accepted: list[tuple[float, int]] = []
        self.rejected: list[float] = []
        self.injected: list[tuple[float, float]] = []  # (start, end) of injected flood waits
        self.inject_at: list[int] = []
        self.message_id = 0

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method == "getUpdates":
            time.sleep(min(float(params.get("timeout") or 0), 0.5))
            return 200, {"ok": True, "result": []}
        if method == "getMe":
            return 200, {
                "ok": True,
                "result": {"id": 1, "is_bot": True, "first_name": "B", "username": "bench_bot"},
            }
        if method not in PACED:
            return 200, {"ok": True, "result": True}
        now = time.monotonic()
        with self.lock:
            for start, end in self.injected:
                if start <= now < end:
                    self.rejected.append(now)
                    return 429, _flood(max(1, round(end - now)))
            if self.inject_at and len(self.accepted) >= self.inject_at[0]:
                self.inject_at.pop(0)
                self.injected.append((now, now + 2.0))
                self.rejected.append(now)
                return 429, _flood(2)
            while self.window and self.window[0] <= now - 1.0:
                self.window.popleft()
            if len(self.window) >= self.rate:
                self.rejected.append(now)
                return 429, _flood(1)
            self.window.append(now)
            chat_id = int(params.get("chat_id") or 0)
            if method == "sendMessage" and params.get("text") == TEXT:
                self.accepted.append((now, chat_id))
            self.message_id += 1
            message = {
                "message_id": self.message_id,
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": params.get("text", ""),
            }
        return 200, {"ok": True, "result": message}


def _flood(seconds: int) -> dict[str, Any]:
    return {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {seconds}",
        "parameters": {"retry_after": seconds},
    }


def serve(fake: FakeTelegram) -> tuple[ThreadingHTTPServer, int]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            kind = self.headers.get("Content-Type", "")
            params = json.loads(body) if "json" in kind and body else dict(parse_qsl(body.decode()))
            status, payload = fake.answer(self.path.rsplit("/", 1)[-1], params)
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        do_GET = do_POST

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def seed(db_path: Path, recipients: int) -> None:
    """`recipients` roster entries (plus the admin) and one notice due a minute ago."""

    async def migrate() -> None:
        db = await Database.open(db_path)
        await db.close()

    asyncio.run(migrate())
    now = datetime.now(UTC)
    stamp = to_db(now)
    connection = sqlite3.connect(db_path)
    # Menus already pushed (menu_key current), as on a bot that has been running: the
    # start-up menu sync is not what this benchmark measures.
    menu = {row[1] for row in connection.execute("PRAGMA table_info(persons)")} >= {"menu_key"}
    with connection:
        connection.execute(
            "INSERT INTO persons (id, name, role, telegram_id, language, created_at, updated_at)"
            " VALUES (1, 'Sec', 'secretariat', ?, 'en', ?, ?)",
            (ADMIN, stamp, stamp),
        )
        connection.executemany(
            "INSERT INTO persons (name, unit, role, telegram_id, language, created_at,"
            " updated_at) VALUES (?, ?, 'member', ?, 'en', ?, ?)",
            (
                (f"Member {n}", f"Unit {n % 97}", FIRST + n, stamp, stamp)
                for n in range(recipients - 1)
            ),
        )
        if menu:
            connection.execute("UPDATE persons SET menu_key = role || ':' || language")
        connection.execute(
            "INSERT INTO notices (author_person_id, author_chat_id, author_language, audience,"
            " category, text_en, status, due_at, created_at) VALUES (1, ?, 'en', 'all',"
            " 'official', ?, 'scheduled', ?, ?)",
            (ADMIN, TEXT, to_db(now - timedelta(minutes=1)), stamp),
        )
    connection.close()


def outbox_counts(db_path: Path) -> dict[str, int]:
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        rows = connection.execute(
            "SELECT state, COUNT(*) FROM notice_outbox GROUP BY state"
        ).fetchall()
        status = connection.execute("SELECT status FROM notices WHERE id = 1").fetchone()
    finally:
        connection.close()
    counts = {state: int(n) for state, n in rows}
    counts["_done"] = int(status is not None and status[0] == "done")
    return counts


def peak_rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run(
    rate: float, recipients: int, *, inject: list[int] | None = None, snapshots: bool = False
) -> dict[str, Any]:
    """One delivery through run_bot.py; returns the figures."""
    fake = FakeTelegram(rate)
    fake.inject_at = list(inject or [])
    server, port = serve(fake)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        seed(db_path, recipients)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSOC_", "TELEGRAM_"))}
        env.update(
            ASSOC_DB_PATH=str(db_path),
            ASSOC_ADMIN_IDS=str(ADMIN),
            ASSOC_BROADCAST_RATE=str(rate),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{port}/bot",
            PYTHONPATH=str(ROOT),
            PTB_TIMEDELTA="1",
        )
        command = [sys.executable, str(ROOT / "run_bot.py")]
        if os.environ.get("BENCH_PROFILE"):  # e.g. BENCH_PROFILE=/tmp/profile.txt
            command[1:1] = ["-m", "pyinstrument", "--show-all", "-o", os.environ["BENCH_PROFILE"]]
        child = subprocess.Popen(
            command, cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        started = time.monotonic()
        per_second: list[str] = []
        peak = 0.0
        try:
            while True:
                time.sleep(1.0)
                peak = max(peak, peak_rss_mb(child.pid) or 0.0)
                counts = outbox_counts(db_path)
                if snapshots:
                    per_second.append(
                        f"  t={time.monotonic() - started:5.1f}s "
                        + " ".join(
                            f"{k}={v}" for k, v in sorted(counts.items()) if not k.startswith("_")
                        )
                    )
                if counts["_done"] or child.poll() is not None:
                    break
            peak = max(peak, peak_rss_mb(child.pid) or 0.0)
        finally:
            child.send_signal(signal.SIGTERM)
            _, stderr = child.communicate(timeout=60)
        server.shutdown()
        server.server_close()
        final = outbox_counts(db_path)
    times = [t for t, _ in fake.accepted]
    achieved = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    result: dict[str, Any] = {
        "sent": len(fake.accepted),
        "achieved": achieved,
        "ratio": achieved / rate,
        "rejected": len(fake.rejected),
        "rejected_at": [round(t - times[0], 3) for t in fake.rejected] if times else [],
        "final": final,
        "per_second": per_second,
        "peak_rss_mb": peak,
        "child_rc": child.returncode,
        "stderr": stderr.decode()[-1500:],
    }
    if fake.injected:
        pauses = []
        for start, end in fake.injected:
            during = sum(1 for t in fake.rejected if start < t < end)
            resumed = next((t for t in times if t >= start), None)
            after = [t for t in times if resumed is not None and resumed <= t < resumed + 3.0]
            regained = (len(after) - 1) / (after[-1] - after[0]) if len(after) > 1 else 0.0
            pauses.append(
                {
                    "requests_during_pause": during,
                    "pause_s": (resumed - start) if resumed else None,
                    "rate_after": regained / rate,
                }
            )
        result["pauses"] = pauses
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--big", type=int, default=10_000)
    parser.add_argument("--big-rate", type=float, default=500.0)
    parser.add_argument("--only", type=int, choices=(1, 2, 3), help="run one scenario")
    args = parser.parse_args()
    wanted = {args.only} if args.only else {1, 2, 3}

    results: list[tuple[str, dict[str, Any]]] = []
    if 1 in wanted:
        print(f"== 1. {args.recipients} recipients at R={args.rate:g}/s, fake enforcing R")
        first = run(args.rate, args.recipients, snapshots=True)
        results.append(("1", first))
        print("outbox per second:")
        print("\n".join(first["per_second"]))
        print(
            f"delivered {first['sent']}, achieved {first['achieved']:.1f}/s,"
            f" achieved/R = {first['ratio']:.3f} (target >= 0.97),"
            f" 429s = {first['rejected']} at {first['rejected_at']}"
            f" (target 0), final outbox {first['final']}"
        )
    if 2 in wanted:
        print("\n== 2. same, with flood waits (retry_after=2) injected at sends 1000 and 3000")
        second = run(args.rate, args.recipients, inject=[1000, 3000])
        results.append(("2", second))
        for n, pause in enumerate(second["pauses"], 1):
            print(
                f"flood wait {n}: pause measured {pause['pause_s']:.2f}s (asked 2s),"
                f" requests arriving during it {pause['requests_during_pause']} (only sends"
                f" already in flight), rate over the 3s after / R = {pause['rate_after']:.3f}"
            )
        print(
            f"delivered {second['sent']}, overall achieved/R = {second['ratio']:.3f} (pauses"
            f" included), 429s = {second['rejected']} (2 injected + sends in flight)"
        )
    if 3 in wanted:
        print(f"\n== 3. {args.big} recipients, {args.big} roster entries, R={args.big_rate:g}/s")
        third = run(args.big_rate, args.big)
        results.append(("3", third))
        idle = run(args.big_rate, 1)  # the same bot delivering to one person: its baseline
        print(
            f"delivered {third['sent']}, achieved/R = {third['ratio']:.3f},"
            f" 429s = {third['rejected']}, peak RSS of the bot process"
            f" {third['peak_rss_mb']:.1f} MB (target <= 150); the same bot delivering to"
            f" one person peaks at {idle['peak_rss_mb']:.1f} MB, so the 10,000-recipient"
            f" delivery itself adds {third['peak_rss_mb'] - idle['peak_rss_mb']:.1f} MB"
        )
    for name, result in results:
        if result["final"].get("sent", 0) != result["sent"]:
            print(f"run {name}: outbox and fake disagree; bot stderr:\n{result['stderr']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
