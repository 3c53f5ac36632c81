"""Notices building blocks: pacing, error classification, repetitions, composition."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.delivery_engine import classify
from bot.notices.bulkapi import NotSent
from bot.notices.compose import ComposeError, parse_options, parse_when
from bot.notices.pacing import SmoothLimiter
from bot.notices.recurrence import RecurrenceError, describe, next_occurrence, parse_cron

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)  # Saturday 10:00 in Kunming


class FakeTime:
    """A monotonic clock that only moves when the limiter sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_limiter_spaces_sends_evenly_and_never_fires_a_seconds_worth_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = FakeTime()

    async def sleep(seconds: float) -> None:
        clock.now += seconds

    monkeypatch.setattr("bot.notices.pacing.asyncio.sleep", sleep)
    limiter = SmoothLimiter(30, burst=2, monotonic=clock)
    times = []
    for _ in range(90):
        await limiter.acquire()
        times.append(clock.now)
    assert times[1] - times[0] < 0.04  # at most a burst of two at the start
    assert times[2] - times[0] >= limiter.interval - 1e-9
    for start in range(len(times)):
        assert sum(1 for t in times if times[start] <= t < times[start] + 1.0) <= 30

    clock.now += 10  # idle: no bucket of a second's worth builds up
    before = clock.now
    for _ in range(3):
        await limiter.acquire()
    assert clock.now - before >= limiter.interval - 1e-9


async def test_limiter_pause_holds_every_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeTime()

    async def sleep(seconds: float) -> None:
        clock.now += seconds

    monkeypatch.setattr("bot.notices.pacing.asyncio.sleep", sleep)
    limiter = SmoothLimiter(25, monotonic=clock)
    await limiter.acquire()
    limiter.pause(5)
    start = clock.now
    await limiter.acquire()
    assert clock.now - start >= 5


@pytest.mark.parametrize(
    ("error", "state"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), "blocked"),
        (Forbidden("Forbidden: user is deactivated"), "never_started"),
        (Forbidden("Forbidden: bot can't initiate conversation with a user"), "never_started"),
        (BadRequest("Bad Request: chat not found"), "never_started"),
        (BadRequest("Bad Request: can't parse entities"), "failed"),
        (TimedOut(), "unconfirmed"),
        (TimedOut("Pool timeout: All connections in the connection pool are occupied."), "retry"),
        (NetworkError("Bad Gateway"), "unconfirmed"),
        (NetworkError("httpx.ReadError: reset"), "unconfirmed"),
        (NotSent("cannot connect, nothing was sent"), "retry"),
        (None, "pause"),
    ],
)
def test_errors_map_to_one_outbox_state(error: Exception | None, state: str) -> None:
    outcome = classify(error or RetryAfter(7))  # type: ignore[arg-type]
    assert outcome.state == state
    if state == "pause":
        assert outcome.pause == 7


def test_cron_is_checked_normalised_and_said_in_words() -> None:
    cron = parse_cron("30 8 * * 0", TZ)
    assert cron == "30 8 * * sun"
    assert describe(cron, "en") == "every Sunday at 08:30"
    assert describe(cron, "zh") == "每周日 08:30"
    assert describe("0 9 1 * *", "en") == "on day 1 of the month at 09:00"
    assert describe("0 9 * * mon-fri", "en") == "every weekday (Monday to Friday) at 09:00"
    assert describe("0 9 * * mon-fri", "zh") == "每个工作日（周一至周五） 09:00"
    assert next_occurrence(cron, NOW, TZ) == datetime(2026, 11, 29, 0, 30, tzinfo=UTC)
    for bad in ("61 8 * * *", "* * *", "0 9 * * 8", "rm -rf"):
        with pytest.raises(RecurrenceError):
            parse_cron(bad, TZ)


def test_when_accepts_now_times_and_repetitions() -> None:
    assert parse_when("now", TZ, NOW) == (None, None)
    assert parse_when("2026-11-28 18:00", TZ, NOW) == (
        datetime(2026, 11, 28, 10, 0, tzinfo=UTC),
        None,
    )
    due, cron = parse_when("weekly mon 09:00", TZ, NOW)
    assert cron == "0 9 * * mon" and due == datetime(2026, 11, 30, 1, 0, tzinfo=UTC)
    due, cron = parse_when("每天 08:00", TZ, NOW)
    assert cron == "0 8 * * *" and due == datetime(2026, 11, 29, 0, 0, tzinfo=UTC)
    due, cron = parse_when("monthly 1 09:30", TZ, NOW)
    assert cron == "30 9 1 * *" and due == datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    for bad in ("tomorrow", "2026-02-30 10:00", "daily 25:00", "cron 1 2 3"):
        with pytest.raises(ComposeError):
            parse_when(bad, TZ, NOW)


def test_one_line_options() -> None:
    draft = parse_options(
        "/notice audience=council lang=zh at=2026-12-01T09:00 category=news repeat=weekly",
        TZ,
        NOW,
    )
    assert (draft.audience, draft.language, draft.category) == ("council", "zh", "news")
    assert draft.due_at == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert draft.recurrence == "0 9 * * tue"
    with pytest.raises(ComposeError):
        parse_options("/notice repeat=daily", TZ, NOW)
    with pytest.raises(ComposeError):
        parse_options("/notice colour=red", TZ, NOW)
