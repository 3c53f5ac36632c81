"""Meeting-day check-in: N members open the check-in link within a window, in real time.

Run: `python bench/checkin.py [--members 200] [--seconds 60] [--repeats 0.1]`. The real
Application (handlers, SQLite on a temporary file, its JobQueue running) behind the in-process
fake Telegram; each member's `/start in<ID>_<CODE>` arrives at a random moment of the window,
and a share of them open the link a second time. Prints the check-in rate and reply latency,
how many times the secretariat's summary message was edited and the shortest gap between two
edits (Telegram's limits: the summary is edited at most once per few seconds), and whether every
check-in was recorded exactly once. Exits 1 when a figure breaks its bound.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update

from bot.app import build_application, on_shutdown, on_startup
from bot.clock import FixedClock
from bot.config import Settings
from bot.meetings.service import SUMMARY_EDIT_INTERVAL
from bot.transport import ApiCall, LocalBotApi, UpdateFactory
from storage.meetings import NewMeeting
from storage.timestamps import to_db

ADMIN = 5000
FIRST_USER = 2_000_000
STARTS = datetime(2026, 12, 15, 6, 30, tzinfo=UTC)
CALLED = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


class TimingApi(LocalBotApi):
    """The fake Telegram, noting when each reply and each summary edit was made."""

    def __init__(self) -> None:
        super().__init__()
        self.summary: tuple[int, int] | None = None
        self.summary_edits: list[tuple[float, str]] = []
        self.replies: dict[int, list[tuple[float, str]]] = {}

    def answer(
        self, method: str, params: dict[str, Any], files: dict[str, tuple[str, bytes]] | None = None
    ) -> tuple[int, bytes, ApiCall, Any]:
        """Record the moment of replies to members and of edits of the summary."""
        status, body, call, result = super().answer(method, params, files)
        now = time.monotonic()
        if method == "editMessageText" and self.summary is not None:
            if (call.chat_id, int(call.params.get("message_id", 0))) == self.summary:
                self.summary_edits.append((now, call.text))
        elif method == "sendMessage" and call.chat_id is not None and call.chat_id >= FIRST_USER:
            self.replies.setdefault(call.chat_id, []).append((now, call.text))
        return status, body, call, result


async def seed(app: Any, members: int) -> tuple[int, str]:
    """`members` bound council members, one open meeting inviting them, its check-in code."""
    db = app.bot_data.db
    stamp = to_db(CALLED)
    async with db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO persons (name, unit, role, telegram_id, language, created_at, updated_at)"
            " VALUES (?, ?, 'council', ?, ?, ?, ?)",
            [
                (
                    f"Member {n}",
                    f"Unit {n % 40}",
                    FIRST_USER + n,
                    "zh" if n % 2 else "en",
                    stamp,
                    stamp,
                )
                for n in range(members)
            ],
        )
        await tx.execute("UPDATE persons SET menu_key = role || ':' || language")
    svc = app.bot_data.meetings
    repo = svc.repo
    meeting = await repo.create_draft(
        NewMeeting("Council meeting", STARTS, "Kunming Hall", STARTS), 1, CALLED
    )
    rows = await db.fetchall("SELECT id FROM persons WHERE role = 'council'")
    ids = [int(row[0]) for row in rows]
    async with db.transaction() as tx:
        await repo.open_draft(tx, meeting, ids, set(ids), CALLED)
        await svc.rounds.repo.insert_invitations(tx, meeting.id, "invitation", CALLED)
    summary = await app.bot.send_message(ADMIN, "summary")
    await repo.set_summary_message(meeting.id, ADMIN, summary.message_id, "en")
    refreshed = await repo.get(meeting.id)
    card = await app.bot_data.meetings.day.checkin_link(refreshed, "youxie_bot")
    assert card is not None
    link = card[0]
    return meeting.id, link.rsplit("start=", 1)[1]


async def run(members: int, seconds: float, repeats: float, directory: Path) -> int:
    api = TimingApi()
    settings = Settings(db_path=directory / "checkin.sqlite3", admin_ids=frozenset({ADMIN}))
    clock = FixedClock(STARTS)  # the meeting's start: check-in is open
    app = build_application(settings, request=api, clock=clock)
    factory = UpdateFactory()
    random.seed(15)
    async with app:
        await on_startup(app)
        meeting_id, payload = await seed(app, members)
        api.summary = (ADMIN, 1)
        await app.start()
        try:
            arrivals = sorted(
                [(random.uniform(0, seconds), n) for n in range(members)]
                + [
                    (random.uniform(0, seconds), n)
                    for n in random.sample(range(members), int(members * repeats))
                ]
            )
            sent_at: dict[int, list[float]] = {}
            started = time.monotonic()
            for offset, n in arrivals:
                delay = started + offset - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                user = factory.user(FIRST_USER + n, f"Member {n}", "en")
                update = Update.de_json(factory.message(user, f"/start {payload}"), app.bot)
                sent_at.setdefault(FIRST_USER + n, []).append(time.monotonic())
                app.update_queue.put_nowait(update)
            while sum(len(v) for v in api.replies.values()) < len(arrivals):
                await asyncio.sleep(0.05)
            window = time.monotonic() - started
            await asyncio.sleep(SUMMARY_EDIT_INTERVAL.total_seconds() + 1.5)  # the last edit
        finally:
            await app.stop()
        rows = await app.bot_data.db.fetchall(
            "SELECT person_id, COUNT(*) FROM meeting_attendance WHERE meeting_id = ?"
            " GROUP BY person_id",
            (meeting_id,),
        )
        await on_shutdown(app)

    latencies = [
        reply[0] - sent
        for chat, replies in api.replies.items()
        for reply, sent in zip(replies, sent_at[chat], strict=False)
    ]
    texts = [text for replies in api.replies.values() for _, text in replies]
    already = sum("already recorded" in text or "无需重复" in text for text in texts)
    recorded = sum("You are recorded present" in text or "已为您登记出席" in text for text in texts)
    edits = [moment for moment, _ in api.summary_edits]
    gaps = [b - a for a, b in itertools.pairwise(edits)]
    final = api.summary_edits[-1][1] if api.summary_edits else ""
    per_minute = max(
        (sum(1 for e in edits if start <= e < start + 60) for start in edits), default=0
    )
    once = len(rows) == members and all(int(row[1]) == 1 for row in rows)

    print(f"members: {members}; link openings: {len(arrivals)} ({len(arrivals) - members} repeats)")
    print(f"window: {window:.1f} s (arrivals spread over {seconds:.0f} s)")
    print(f"check-ins recorded: {len(rows)}; each once: {'yes' if once else 'NO'}")
    print(f"replies: {recorded} 'recorded present', {already} 'already recorded'")
    print(
        f"reply latency: median {statistics.median(latencies) * 1000:.1f} ms,"
        f" p95 {statistics.quantiles(latencies, n=20)[18] * 1000:.1f} ms,"
        f" max {max(latencies) * 1000:.1f} ms"
    )
    bound = SUMMARY_EDIT_INTERVAL.total_seconds()
    print(
        f"summary edits: {len(edits)} (one per {seconds / max(len(edits), 1):.1f} s of window);"
        f" shortest gap {f'{min(gaps):.2f} s' if gaps else '-'} (bound {bound:.0f} s);"
        f" most in any minute {per_minute}"
    )
    print(f"final summary line: {final.splitlines()[-1] if final else '(none)'}")
    ok = (
        once
        and recorded == members
        and already == len(arrivals) - members
        and all(gap >= bound - 0.05 for gap in gaps)
        and f"present {members} of {members}" in final
    )
    print("result:", "OK" if ok else "FAILED")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--repeats", type=float, default=0.1, help="share opening the link twice")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        return asyncio.run(run(args.members, args.seconds, args.repeats, Path(directory)))


if __name__ == "__main__":
    raise SystemExit(main())
