"""RSVP throughput: taps through the real Application against a bare PTB Application.

Run: `python bench/rsvp.py [--taps N] [--people N] [--rounds R]`. Prints updates per second for
the bot's RSVP path (real handlers, SQLite on a temporary file, the in-process fake Telegram)
and for a bare Application with one trivial callback handler, both fed through the update
queue with `concurrent_updates` as deployed, then RSVP storage writes per second.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from telegram import Update
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes

from bot.app import CONCURRENT_UPDATES, build_application, on_shutdown, on_startup
from bot.clock import FixedClock
from bot.config import Settings
from bot.meetings.rules import DEADLINE_LEAD
from bot.transport import ApiCall, LocalBotApi, UpdateFactory
from storage.database import Database
from storage.meetings import NewMeeting
from storage.timestamps import to_db

NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
STARTS = datetime(2026, 12, 15, 6, 30, tzinfo=UTC)
FIRST_USER = 1_000_000


class CountingApi(LocalBotApi):
    """The fake Telegram, signalling when every tap has been answered."""

    def __init__(self) -> None:
        super().__init__()
        self.answered = 0
        self.target = 0
        self.done = asyncio.Event()

        def count(call: ApiCall) -> Any:
            self.answered += 1
            if self.answered >= self.target:
                self.done.set()
            return True

        self.responders["answerCallbackQuery"] = count

    def expect(self, count: int) -> None:
        """Reset the counter; `done` fires after `count` callback answers."""
        self.answered = 0
        self.target = count
        self.done.clear()
        self.calls.clear()


async def drive(app: Any, api: CountingApi, updates: list[Update]) -> float:
    """Feed `updates` through the update queue; seconds until all are answered."""
    api.expect(len(updates))
    started = time.perf_counter()
    for update in updates:
        app.update_queue.put_nowait(update)
    await api.done.wait()
    return time.perf_counter() - started


async def seed(app: Any, people: int) -> int:
    """Roster of `people` bound council members and one open meeting inviting them all."""
    db = app.bot_data.db
    stamp = to_db(NOW)
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
                for n in range(people)
            ],
        )
        # Menus already set, as on a bot that has been running (the menu job did it).
        await tx.execute("UPDATE persons SET menu_key = role || ':' || language")
    svc = app.bot_data.meetings
    repo = svc.repo
    meeting = await repo.create_draft(
        NewMeeting("Council meeting", STARTS, "Kunming Hall", STARTS - DEADLINE_LEAD), 1, NOW
    )
    rows = await db.fetchall("SELECT id FROM persons WHERE role = 'council'")
    ids = [int(row[0]) for row in rows]
    async with db.transaction() as tx:
        await repo.open_draft(tx, meeting, ids, set(ids), NOW)
        await svc.rounds.repo.insert_invitations(tx, meeting.id, "invitation", NOW)
    return meeting.id


def taps(app_bot: Any, meeting_id: int, count: int, people: int, round_: int) -> list[Update]:
    """`count` RSVP taps from distinct people; every tap changes its person's answer."""
    factory = UpdateFactory()
    codes = "ymn"
    updates = []
    for n in range(count):
        user = factory.user(FIRST_USER + n % people, "Member")
        message = {
            "message_id": 1,
            "date": 0,
            "chat": {"id": user["id"], "type": "private"},
            "from": {"id": 900000001, "is_bot": True, "first_name": "Youxie bot"},
            "text": "invitation",
        }
        code = codes[(n + round_) % 3]
        payload = factory.callback(user, f"rsvp:{meeting_id}:1:{code}", message)
        updates.append(Update.de_json(payload, app_bot))
    return updates


async def bench_bot(count: int, people: int, rounds: int, directory: Path) -> list[float]:
    """Taps per second through the real Application, one figure per round."""
    api = CountingApi()
    settings = Settings(db_path=directory / "bench.sqlite3")
    app = build_application(settings, request=api, clock=FixedClock(NOW))
    rates = []
    async with app:
        await on_startup(app)
        meeting_id = await seed(app, people)
        await app.start()
        try:
            for round_ in range(rounds):
                updates = taps(app.bot, meeting_id, count, people, round_)
                rates.append(count / await drive(app, api, updates))
        finally:
            await app.stop()
            await on_shutdown(app)
    return rates


async def bench_bare(
    count: int, people: int, rounds: int, db: Database | None = None
) -> list[float]:
    """Taps per second through a bare PTB Application with one trivial callback handler.

    With `db`, the handler also does what any durable answer costs at least: one read and one
    one-row write (a single statement, its own transaction) on the same SQLite database (the
    floor for the bot's figure).
    """
    api = CountingApi()

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.from_user is not None
        if db is not None:
            await db.fetchone("SELECT id FROM persons WHERE telegram_id = ?", (query.from_user.id,))
            await db.write_one(
                "UPDATE persons SET updated_at = ? WHERE telegram_id = ?",
                (query.data, query.from_user.id),
            )
        await query.answer()

    app = (
        ApplicationBuilder()
        .token("0:bench")
        .request(api)
        .get_updates_request(api)
        .concurrent_updates(CONCURRENT_UPDATES)
        .build()
    )
    app.add_handler(CallbackQueryHandler(answer))
    rates = []
    async with app:
        await app.start()
        try:
            for round_ in range(rounds):
                rates.append(count / await drive(app, api, taps(app.bot, 1, count, people, round_)))
        finally:
            await app.stop()
    return rates


async def bench_floor(count: int, people: int, rounds: int, directory: Path) -> list[float]:
    """The bare Application plus one SQLite read and one write per tap."""
    settings = Settings(db_path=directory / "floor.sqlite3")
    app = build_application(settings, request=LocalBotApi(), clock=FixedClock(NOW))
    async with app:
        await on_startup(app)
        try:
            await seed(app, people)
            return await bench_bare(count, people, rounds, app.bot_data.db)
        finally:
            await on_shutdown(app)


async def bench_storage(count: int, directory: Path) -> tuple[float, float]:
    """RSVP writes per second: one after another, and `CONCURRENT_UPDATES` at a time."""
    settings = Settings(db_path=directory / "storage.sqlite3")
    app = build_application(settings, request=LocalBotApi(), clock=FixedClock(NOW))
    async with app:
        await on_startup(app)
        try:
            meeting_id = await seed(app, count)
            repo = app.bot_data.meetings.answers
            meeting = await app.bot_data.meetings.repo.get(meeting_id)
            assert meeting is not None
            ids = [int(r[0]) for r in await app.bot_data.db.fetchall("SELECT id FROM persons")]

            started = time.perf_counter()
            for person_id in ids:
                await repo.answer(meeting, person_id, "yes", NOW)
            sequential = len(ids) / (time.perf_counter() - started)

            semaphore = asyncio.Semaphore(CONCURRENT_UPDATES)

            async def one(person_id: int) -> None:
                async with semaphore:
                    await repo.answer(meeting, person_id, "no", NOW)

            started = time.perf_counter()
            await asyncio.gather(*(one(person_id) for person_id in ids))
            concurrent = len(ids) / (time.perf_counter() - started)
        finally:
            await on_shutdown(app)
    return sequential, concurrent


def best(rates: list[float]) -> float:
    """The best round (the least disturbed by other work on the machine)."""
    return max(rates)


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--taps", type=int, default=2000, help="taps per round")
    parser.add_argument("--people", type=int, default=2000, help="invited people")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    run: Callable[..., Any] = asyncio.run
    with tempfile.TemporaryDirectory() as directory:
        bot_rates = run(bench_bot(args.taps, args.people, args.rounds, Path(directory)))
        bare_rates = run(bench_bare(args.taps, args.people, args.rounds))
        floor_rates = run(bench_floor(args.taps, args.people, args.rounds, Path(directory)))
        sequential, concurrent = run(bench_storage(args.taps, Path(directory)))
    ratio = best(bot_rates) / best(bare_rates)
    print(
        f"concurrent_updates: {CONCURRENT_UPDATES}; {args.taps} taps per round, "
        f"{args.rounds} rounds, {args.people} invited"
    )
    print(
        "bot RSVP taps/s:      "
        + ", ".join(f"{r:.0f}" for r in bot_rates)
        + f"  (best {best(bot_rates):.0f}; target >= 500)"
    )
    print(
        "bare PTB taps/s:      "
        + ", ".join(f"{r:.0f}" for r in bare_rates)
        + f"  (best {best(bare_rates):.0f})"
    )
    print(
        "bare + 1 read + 1 write taps/s: "
        + ", ".join(f"{r:.0f}" for r in floor_rates)
        + f"  (best {best(floor_rates):.0f}; ratio to bare "
        f"{best(floor_rates) / best(bare_rates):.2f})"
    )
    print(
        f"ratio bot / bare:     {ratio:.2f}  (target >= 0.6); "
        f"bot / (bare + SQLite floor): {best(bot_rates) / best(floor_rates):.2f}"
    )
    print(
        f"RSVP storage writes/s: {sequential:.0f} one at a time, "
        f"{concurrent:.0f} with {CONCURRENT_UPDATES} concurrent"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
