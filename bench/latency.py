"""Callback latency: from an RSVP tap's arrival to its answerCallbackQuery, alone and during a
5,000-recipient notice delivery in the same process.

Run: `python bench/latency.py [--rate 50] [--seconds 20] [--delivery-rate 200]`. The real
Application (handlers, SQLite on a temporary file, JobQueue, the notices engine) runs behind
the in-process fake Telegram, which answers at once, so the figures are the bot's own time.
Taps arrive at a steady `--rate` per second through the update queue; each tap's latency is
the time until the fake receives its answerCallbackQuery. The second run starts a notice to
all 5,000 roster entries (paced at `--delivery-rate`, scaled up from the default 25/s so the
delivery competes hard for the event loop) and taps while it runs. The third run does the
same while members also ask the knowledge base `--questions` questions per second (the
Kunming questions in turn, the embedding model answering: the first loads it), so the
question's embedding competes with the taps for the cores; it also prints the questions'
own latency, from arrival to the answer's sendMessage. The load average is printed with
each run: on a shared machine the figures depend on it.
Targets: p99 <= 250 ms alone, <= 1 s during the delivery (with or without questions).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rsvp import FIRST_USER, NOW, seed, taps

from bot.app import build_application, on_shutdown, on_startup
from bot.clock import FixedClock
from bot.config import Settings
from bot.transport import ApiCall, LocalBotApi, UpdateFactory
from storage.timestamps import to_db

PEOPLE = 5000
QUESTIONS = Path(__file__).resolve().parents[2] / "shared" / "eval" / "kunming-dev.jsonl"


class TimingApi(LocalBotApi):
    """The fake Telegram, noting when each callback query is answered and counting sends."""

    def __init__(self) -> None:
        super().__init__()
        self.answered_at: dict[str, float] = {}
        self.replied_at: dict[int, float] = {}
        self.sends = 0
        self.responders["answerCallbackQuery"] = self._answered

    def answer(
        self, method: str, params: dict[str, Any], files: Any = None
    ) -> tuple[int, bytes, ApiCall, Any]:
        """Count sends, keep no call records (a long run would hold them all)."""
        if method == "sendMessage":
            self.sends += 1
            self.replied_at.setdefault(int(params.get("chat_id", 0)), time.perf_counter())
        result = super().answer(method, params, files)
        self.calls.clear()
        self.messages.clear()
        return result

    def _answered(self, call: ApiCall) -> Any:
        self.answered_at[str(call.params["callback_query_id"])] = time.perf_counter()
        return True


async def seed_notice(app: Any) -> None:
    """A notice to everyone, due a minute ago; menus current as on a bot that has been running."""
    stamp = to_db(NOW)
    async with app.bot_data.db.transaction() as tx:
        await tx.execute("UPDATE persons SET menu_key = role || ':' || language")
        await tx.execute(
            "INSERT INTO notices (author_person_id, author_chat_id, author_language, audience,"
            " category, text_en, text_zh, status, due_at, created_at) VALUES (1, 1, 'en', 'all',"
            " 'official', 'Notice', '通知', 'scheduled', ?, ?)",
            (to_db(NOW - timedelta(minutes=1)), stamp),
        )


def questions(count: int) -> list[tuple[int, Any]]:
    """`count` questions (the Kunming set in turn), each from its own person, who is not on
    the roster and so gets no notice: the first message to them is the answer."""
    items = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines()]
    factory = UpdateFactory()
    asked = []
    for n in range(count):
        item = items[n % len(items)]
        user = factory.user(FIRST_USER + PEOPLE + n, "Reader", item["lang"])
        asked.append((user["id"], factory.message(user, item["q"])))
    return asked


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": statistics.median(ordered),
        "p95": ordered[int(0.95 * (len(ordered) - 1))],
        "p99": ordered[int(0.99 * (len(ordered) - 1))],
        "max": ordered[-1],
    }


async def measure(
    rate: float, seconds: float, delivery_rate: float | None, question_rate: float = 0.0
) -> dict[str, Any]:
    """Tap at `rate` for `seconds`; with `delivery_rate`, while a notice is being delivered;
    with `question_rate`, while members ask that many questions a second."""
    from telegram import Update

    api = TimingApi()
    with tempfile.TemporaryDirectory() as directory:
        settings = Settings(
            db_path=Path(directory) / "latency.sqlite3",
            broadcast_rate=delivery_rate or 25.0,
        )
        app = build_application(settings, request=api, clock=FixedClock(NOW))
        async with app:
            await on_startup(app)
            meeting_id = await seed(app, PEOPLE)
            async with app.bot_data.db.transaction() as tx:
                await tx.execute("UPDATE persons SET menu_key = role || ':' || language")
            if delivery_rate:
                await seed_notice(app)
            await app.start()
            try:
                count = int(rate * seconds)
                events: list[tuple[float, str, Any]] = [
                    (n / rate, "tap", update)
                    for n, update in enumerate(taps(app.bot, meeting_id, count, PEOPLE, 0))
                ]
                asked = questions(int(question_rate * seconds))
                events += [(n / question_rate, "question", item) for n, item in enumerate(asked)]
                events.sort(key=lambda event: event[0])
                arrived: dict[str, float] = {}
                asked_at: dict[int, float] = {}
                started = time.perf_counter()
                for offset, kind, item in events:
                    delay = started + offset - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    if kind == "tap":
                        assert item.callback_query is not None
                        arrived[item.callback_query.id] = time.perf_counter()
                        app.update_queue.put_nowait(item)
                    else:
                        chat_id, payload = item
                        asked_at[chat_id] = time.perf_counter()
                        app.update_queue.put_nowait(Update.de_json(payload, app.bot))
                sends_during = api.sends
                while len(api.answered_at) < count and time.perf_counter() - started < seconds * 5:
                    await asyncio.sleep(0.05)
                while (
                    any(chat not in api.replied_at for chat in asked_at)
                    and time.perf_counter() - started < seconds * 5
                ):
                    await asyncio.sleep(0.05)
            finally:
                await app.stop()
                await on_shutdown(app)
    latencies = [
        (api.answered_at[key] - arrived[key]) * 1000 for key in arrived if key in api.answered_at
    ]
    replies = [
        (api.replied_at[chat] - at) * 1000
        for chat, at in asked_at.items()
        if chat in api.replied_at
    ]
    return {
        "taps": count,
        "answered": len(latencies),
        "sends": sends_during,
        **percentiles(latencies),
        "questions": len(asked_at),
        "replies": percentiles(replies) if replies else None,
        "replied": len(replies),
        "load": os.getloadavg()[0],
    }


def report(label: str, figures: dict[str, Any], target_ms: float, seconds: float) -> None:
    """Print one run's figures against its target."""
    print(
        f"{label}: {figures['answered']}/{figures['taps']} taps answered;"
        f" p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, p99 {figures['p99']:.1f} ms,"
        f" max {figures['max']:.1f} ms; p99 / target {figures['p99'] / target_ms:.2f}"
        f" (target p99 <= {target_ms:.0f} ms); load average {figures['load']:.2f}"
    )
    if figures["replies"]:
        replies = figures["replies"]
        print(
            f"  questions: {figures['replied']}/{figures['questions']} answered; from arrival to"
            f" the answer p50 {replies['p50']:.1f} ms, p95 {replies['p95']:.1f} ms,"
            f" max {replies['max']:.1f} ms (the first loads the model)"
        )
    if figures["sends"]:
        per_second = figures["sends"] / seconds
        print(
            "  messages sent while tapping (No-reason questions and notices):"
            f" {figures['sends']} ({per_second:.0f}/s)"
        )


def main(argv: list[str] | None = None) -> int:
    """Measure alone, then during a delivery; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rate", type=float, default=50.0, help="taps per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to tap")
    parser.add_argument("--delivery-rate", type=float, default=200.0, help="notice sends/s")
    parser.add_argument(
        "--questions", type=float, default=2.0, help="questions/s in the third run (0: none)"
    )
    args = parser.parse_args(argv)
    print(f"RSVP taps at {args.rate:g}/s for {args.seconds:g} s; {PEOPLE} invited")
    alone = asyncio.run(measure(args.rate, args.seconds, None))
    report("alone", alone, 250, args.seconds)
    during = asyncio.run(measure(args.rate, args.seconds, args.delivery_rate))
    report(
        f"during a {PEOPLE}-recipient delivery at {args.delivery_rate:g}/s",
        during,
        1000,
        args.seconds,
    )
    if args.questions:
        asking = asyncio.run(measure(args.rate, args.seconds, args.delivery_rate, args.questions))
        report(
            f"the same, members asking {args.questions:g} questions/s",
            asking,
            1000,
            args.seconds,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
