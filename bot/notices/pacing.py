"""Smooth pacing for notice delivery: sends spaced evenly, a tiny burst, and a shared pause."""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable
from datetime import timedelta

from telegram.error import RetryAfter

__all__ = ["SAFETY", "SmoothLimiter", "loop_time", "retry_after_seconds"]

# Pace a little under the configured rate: Telegram (and the bench's fake) count sends in
# sliding one-second windows as they arrive, and arrivals jitter by tens of milliseconds on a
# busy link or machine: 25 slots at the default rate span 1.025 s, 25 ms to spare.
SAFETY = 0.975
# The sliding second the limiter counts sends in (never more than the rate): 20 ms more than
# Telegram's, for the same jitter.
WINDOW = 1.02


def loop_time() -> float:
    """The running event loop's monotonic clock (virtual in tests that run on virtual time)."""
    return asyncio.get_running_loop().time()


class SmoothLimiter:
    """Hands out send slots `1/rate` apart; at most `burst` may come back to back.

    Unlike a token bucket sized to the rate, it never fires a second's worth at once: a
    late caller may catch up by at most `burst - 1` slots. `pause(seconds)` (a 429's
    retry_after) holds every caller until it has passed.
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int = 2,
        monotonic: Callable[[], float] = loop_time,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.interval = 1.0 / (rate * SAFETY)
        self.burst = burst
        self._monotonic = monotonic
        self._next = 0.0
        self._paused_until = 0.0
        self.pauses = 0
        # Never more than `cap` sends in any sliding second, counted when they really leave:
        # a late event loop that wakes several senders at once cannot bunch them.
        self._cap = max(1, math.floor(rate))
        self._sent: deque[float] = deque(maxlen=self._cap)

    @property
    def paused_for(self) -> float:
        """Seconds left of the current pause (0 when not paused)."""
        return max(0.0, self._paused_until - self._monotonic())

    async def acquire(self) -> None:
        """Wait for the next slot (and for any pause to end)."""
        while True:
            now = self._monotonic()
            if now < self._paused_until:
                await asyncio.sleep(self._paused_until - now)
                continue
            slot = max(self._next, now - (self.burst - 1) * self.interval)
            self._next = slot + self.interval
            if slot > now:
                await asyncio.sleep(slot - now)
            now = self._monotonic()
            if len(self._sent) == self._cap and now < self._sent[0] + WINDOW:
                await asyncio.sleep(self._sent[0] + WINDOW - now)
                now = self._monotonic()
            if now >= self._paused_until:
                self._sent.append(now)
                return

    def pause(self, seconds: float) -> None:
        """Hold every sender for `seconds` (from now), then resume at the same pace."""
        until = self._monotonic() + seconds
        if until > self._paused_until:
            self._paused_until = until
            self.pauses += 1
        self._next = max(self._next, self._paused_until)


def retry_after_seconds(error: RetryAfter) -> float:
    """The pause a 429 asks for, in seconds (without PTB's int/timedelta deprecation noise)."""
    value = getattr(error, "_retry_after", None)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value or 1)
