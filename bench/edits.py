#!/usr/bin/env python3
"""Correction benchmark: editing every delivered copy of a notice, paced like its delivery.

Runs `run_bot.py` as a child process against the fake Bot API of bench/delivery.py, which
enforces the configured rate R itself (more than R accepted calls in any sliding second get a
429). The database holds a notice already delivered to N members (each copy's message id
recorded) and its correction, confirmed just before the bot started; the bot edits every
copy through the same paced engine as deliveries. Prints the edits made, the achieved rate
against R (target >= 0.97), the 429s received (target 0) and copies edited twice (target 0).

Usage: python bench/edits.py [--rate 200] [--copies 5000]
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from delivery import ADMIN, TOKEN, FakeTelegram, seed, serve  # noqa: E402

from storage.timestamps import to_db  # noqa: E402

OLD = "Benchmark notice"
NEW = "Benchmark notice, corrected"


class EditingTelegram(FakeTelegram):
    """The rate-enforcing fake, also noting each edit it accepts (time and copy)."""

    def __init__(self, rate: float) -> None:
        super().__init__(rate)
        self.edits: list[tuple[float, int, int]] = []

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        status, payload = super().answer(method, params)
        if method == "editMessageText" and status == 200 and params.get("text") == NEW:
            with self.lock:
                self.edits.append(
                    (time.monotonic(), int(params["chat_id"]), int(params["message_id"]))
                )
        return status, payload


def seed_delivered(db_path: Path, copies: int) -> None:
    """A notice delivered to `copies` people (message ids recorded) and its correction."""
    seed(db_path, copies)
    stamp = to_db(datetime.now(UTC))
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute(
            "UPDATE notices SET status = 'done', started_at = ? WHERE id = 1", (stamp,)
        )
        connection.execute(
            "INSERT INTO notice_outbox (notice_id, person_id, chat_id, language, state,"
            " updated_at, message_id, sent_at)"
            " SELECT 1, id, telegram_id, 'en', 'sent', ?, 1000 + id, ? FROM persons",
            (stamp, stamp),
        )
        connection.execute("UPDATE notices SET total = ? WHERE id = 1", (copies,))
        connection.execute(
            "INSERT INTO notices (author_person_id, author_chat_id, author_language, audience,"
            " category, text_en, status, created_at, kind, parent_id)"
            " VALUES (1, ?, 'en', 'all', 'official', ?, 'scheduled', ?, 'edit', 1)",
            (ADMIN, NEW, stamp),
        )
    connection.close()


def correction_done(db_path: Path) -> bool:
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
    try:
        row = connection.execute("SELECT status FROM notices WHERE id = 2").fetchone()
    finally:
        connection.close()
    return row is not None and row[0] in ("done", "cancelled")


def run(rate: float, copies: int) -> dict[str, Any]:
    fake = EditingTelegram(rate)
    server, port = serve(fake)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "bench.sqlite3"
        seed_delivered(db_path, copies)
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
        child = subprocess.Popen(
            [sys.executable, str(ROOT / "run_bot.py")],
            cwd=tmp,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            while not correction_done(db_path) and child.poll() is None:
                time.sleep(0.5)
        finally:
            child.send_signal(signal.SIGTERM)
            _, stderr = child.communicate(timeout=60)
        server.shutdown()
        server.server_close()
    times = [t for t, _, _ in fake.edits]
    achieved = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    per_copy = Counter((chat, message) for _, chat, message in fake.edits)
    return {
        "edits": len(fake.edits),
        "copies_edited": len(per_copy),
        "edited_twice": sum(1 for n in per_copy.values() if n > 1),
        "achieved": achieved,
        "ratio": achieved / rate,
        "rejected": len(fake.rejected),
        "rejected_at": [round(t - times[0], 2) for t in fake.rejected] if times else [],
        "stderr": stderr.decode()[-1500:],
        "rc": child.returncode,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--copies", type=int, default=5000)
    args = parser.parse_args()
    print(f"== correcting {args.copies} delivered copies at R={args.rate:g}/s, fake enforcing R")
    result = run(args.rate, args.copies)
    print(
        f"edited {result['copies_edited']} of {args.copies} copies ({result['edits']} edits,"
        f" {result['edited_twice']} copies edited twice), achieved {result['achieved']:.1f}/s,"
        f" achieved/R = {result['ratio']:.3f} (target >= 0.97),"
        f" 429s = {result['rejected']} at {result['rejected_at']} s (target 0)"
    )
    if result["copies_edited"] != args.copies:
        print(f"not every copy was edited; bot stderr:\n{result['stderr']}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
