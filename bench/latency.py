"""Callback latency: from an RSVP tap's arrival to its answerCallbackQuery, alone and during a
5,000-recipient notice delivery in the same process.

Run: `python bench/latency.py [--rate 50] [--seconds 20] [--delivery-rate 200]`. The real
Application (handlers, SQLite on a temporary file, JobQueue, the notices engine) runs behind
the in-process fake Telegram, which answers at once, so the figures are the bot's own time.
Taps arrive at a steady `--rate` per second through the update queue; each tap's latency is
the time until the fake receives its answerCallbackQuery. The second run starts a notice to
all 5,000 roster entries (paced at `--delivery-rate`, scaled up from the default 25/s so the
delivery competes hard for the event loop) and taps while it runs.
Targets: p99 <= 250 ms alone, <= 1 s during the delivery.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rsvp import NOW, seed, taps

from bot.app import build_application, on_shutdown, on_startup
from bot.clock import FixedClock
from bot.config import Settings
from bot.transport import ApiCall, LocalBotApi
from storage.timestamps import to_db

PEOPLE = 5000


class TimingApi(LocalBotApi):
    """The fake Telegram, noting when each callback query is answered and counting sends."""

    def __init__(self) -> None:
        super().__init__()
        self.answered_at: dict[str, float] = {}
        self.sends = 0
        self.responders["answerCallbackQuery"] = self._answered

    def answer(
        self, method: str, params: dict[str, Any], files: Any = None
    ) -> tuple[int, bytes, ApiCall, Any]:
        """Count sends, keep no call records (a long run would hold them all)."""
        if method == "sendMessage":
            self.sends += 1
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


async def measure(rate: float, seconds: float, delivery_rate: float | None) -> dict[str, Any]:
    """Tap at `rate` for `seconds`; with `delivery_rate`, while a notice is being delivered."""
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
                updates = taps(app.bot, meeting_id, count, PEOPLE, 0)
                arrived: dict[str, float] = {}
                started = time.perf_counter()
                for n, update in enumerate(updates):
                    delay = started + n / rate - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    assert update.callback_query is not None
                    arrived[update.callback_query.id] = time.perf_counter()
                    app.update_queue.put_nowait(update)
                sends_during = api.sends
                while len(api.answered_at) < count and time.perf_counter() - started < seconds * 5:
                    await asyncio.sleep(0.05)
            finally:
                await app.stop()
                await on_shutdown(app)
    latencies = sorted(
        (api.answered_at[key] - arrived[key]) * 1000 for key in arrived if key in api.answered_at
    )
    return {
        "taps": count,
        "answered": len(latencies),
        "sends": sends_during,
        "p50": statistics.median(latencies),
        "p95": latencies[int(0.95 * (len(latencies) - 1))],
        "p99": latencies[int(0.99 * (len(latencies) - 1))],
        "max": latencies[-1],
    }


def report(label: str, figures: dict[str, Any], target_ms: float, seconds: float) -> None:
    """Print one run's figures against its target."""
    print(
        f"{label}: {figures['answered']}/{figures['taps']} taps answered;"
        f" p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, p99 {figures['p99']:.1f} ms,"
        f" max {figures['max']:.1f} ms; p99 / target {figures['p99'] / target_ms:.2f}"
        f" (target p99 <= {target_ms:.0f} ms)"
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
