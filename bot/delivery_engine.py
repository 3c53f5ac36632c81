"""The paced delivery engine: one send started every 1/R seconds over a per-recipient outbox.

Sends are paced independently of their answers: a dispatcher claims recipients (`sending`,
a few ahead in one write), takes a slot from the shared limiter and starts the next send
without waiting for the previous answer. However slowly Telegram answers, sends leave at
the configured rate; the number in flight follows from Little's law (rate x answer time)
and is bounded by a limit sized from the answer times measured (twice the rate times their
90th percentile), never above `max_in_flight(rate)`. Only those rows (and the few claimed
ahead) can be `sending` at a crash, so only they may be sent twice.

Each outcome is recorded before its row stops counting as in flight; claims and outcomes
that arrive together share one transaction.

How each send ends is `bot.delivery_outcomes`; how the outbox writes are batched and a
refused one waited out is `bot.delivery_writes`.

A clean stop (`stop()`) takes no new recipient, puts the rows claimed but not yet sent back
to `pending`, waits up to `STOP_GRACE` seconds for the answers of the sends already made,
records them (`unconfirmed` for a send still unanswered) and leaves no row `sending`.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import heapq
import logging
import math
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Sequence

from telegram.error import TelegramError

from bot.clock import Clock
from bot.delivery_outcomes import (
    MAX_ATTEMPTS,
    Outcome,
    certainly_not_sent,
    classify,
    max_in_flight,
)
from bot.delivery_writes import WRITE_RETRY_FIRST, WRITE_RETRY_MAX, Outbox, OutboxWriter
from bot.notices.pacing import SmoothLimiter, loop_time
from storage.faults import DatabaseUnavailable
from storage.outbox import Recipient, SendOutcome

__all__ = [
    "BACKOFF_BASE",
    "MAX_ATTEMPTS",
    "STOP_GRACE",
    "WRITE_RETRY_FIRST",
    "WRITE_RETRY_MAX",
    "DeliveryRun",
    "Outbox",
    "Outcome",
    "certainly_not_sent",
    "classify",
    "max_in_flight",
]

logger = logging.getLogger(__name__)

PAGE = 256
BACKOFF_BASE = 2.0
BACKOFF_MAX = 60.0
STOP_GRACE = 5.0
MIN_IN_FLIGHT = 4
ASSUMED_ANSWER = 1.0  # seconds, until answers have been measured


# A send returns the id of the message it made (None when unknown).
Sender = Callable[[Recipient], Awaitable[int | None]]


class DeliveryRun:
    """One delivery: its dispatcher, sends in flight, counters, and cancel and stop switches."""

    def __init__(
        self,
        outbox: Outbox,
        send: Sender,
        limiter: SmoothLimiter,
        clock: Clock,
        *,
        backoff: float = BACKOFF_BASE,
        limit: int | None = None,
        monotonic: Callable[[], float] = loop_time,
        pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
        on_stuck: Callable[[DatabaseUnavailable], Awaitable[None]] | None = None,
    ) -> None:
        self.outbox = outbox
        self.send = send
        self.limiter = limiter
        self.clock = clock
        self.backoff = backoff
        self.max_in_flight = limit or max_in_flight(limiter.rate)
        self.monotonic = monotonic
        self.writer = OutboxWriter(outbox, halted=self._halted, pause=pause, on_stuck=on_stuck)
        self.counts: Counter[str] = Counter()
        self.cancelled = asyncio.Event()  # stop for good: what is left is cancelled
        self.stopping = asyncio.Event()  # clean stop: what is left waits for the next start
        self.started: deque[float] = deque(maxlen=8192)  # when each send left, for the rate shown
        self.first_started: float | None = None
        self._answers: deque[float] = deque(maxlen=256)
        self._limit = self.max_in_flight
        self._claimed = 0  # rows this run holds `sending`
        self._unanswered: dict[int, Recipient] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._changed = asyncio.Event()  # a send finished, or a stop or cancel came
        self._halt = asyncio.Event()
        self._measures = 0
        self._cursor = -1  # below every person id (the channel row is 0)
        self._page: deque[Recipient] = deque()
        self._ready: deque[Recipient] = deque()  # claimed in advance, not yet sent
        self._batch = max(1, min(16, math.ceil(limiter.rate * 0.05)))
        self._exhausted = False
        self._retries: list[tuple[float, int, Recipient]] = []
        self._failure: BaseException | None = None

    # --- what the author is shown ----------------------------------------------------------

    @property
    def total(self) -> int:
        """Recipients in the outbox."""
        return sum(self.counts.values())

    @property
    def finished(self) -> int:
        """Recipients in a terminal state."""
        return self.total - self.counts["pending"] - self.counts["sending"]

    @property
    def in_flight(self) -> int:
        """Rows held `sending` now."""
        return self._claimed

    def rate(self, window: float = 10.0) -> float:
        """Sends started per second over the last `window` seconds (0 in the first second)."""
        now = self.monotonic()
        if self.first_started is None or now - self.first_started < 1.0:
            return 0.0
        span = min(window, now - self.first_started)
        while self.started and self.started[0] < now - span:
            self.started.popleft()
        return len(self.started) / span

    def stop(self) -> None:
        """Clean stop: take no new recipient; `run()` returns once the sends made are recorded."""
        self.stopping.set()
        self._halt.set()
        self._changed.set()

    def cancel(self) -> None:
        """Stop for good (the notice was cancelled): like `stop`, the rest is not sent."""
        self.cancelled.set()
        self._halt.set()
        self._changed.set()

    def _halted(self) -> bool:
        return self.cancelled.is_set() or self.stopping.is_set()

    # --- the run ----------------------------------------------------------------------------

    async def run(self) -> None:
        """Send to every pending recipient, one start per slot, until done, cancelled or stopped."""
        self.counts = Counter(await self.outbox.counts())
        try:
            await self._dispatch()
            await self._drain()
        finally:
            for task in self._tasks:
                task.cancel()
            await self.writer.close()
        if self._failure is not None:
            raise self._failure

    async def _dispatch(self) -> None:
        try:
            await self._dispatch_until_done()
        finally:
            if self._ready:
                ready, self._ready = list(self._ready), deque()
                await self._give_back(ready, "not sent: stopped before its turn")

    async def _dispatch_until_done(self) -> None:
        while not self._halted() and self._failure is None:
            if not self._ready and self._claimed >= self._limit:
                await self._wait_for_change(None)
                continue
            recipient = await self._claim_next()
            if recipient is None:
                if not self._tasks and not self._retries:
                    return
                due = self._retries[0][0] - self.monotonic() if self._retries else None
                await self._wait_for_change(due)
                continue
            if not await self._slot():
                await self._give_back([recipient], "not sent: stopped before its turn")
                return
            self._start(recipient)

    async def _slot(self) -> bool:
        """Wait for the limiter's next slot; False when a stop or cancel came first.

        A stop waits out at most one slot, except during a flood wait, which it cuts short.
        """
        if self.limiter.paused_for <= 0:
            await self.limiter.acquire()
            return not self._halted()
        acquire = asyncio.ensure_future(self.limiter.acquire())
        halted = asyncio.ensure_future(self._halt.wait())
        try:
            await asyncio.wait({acquire, halted}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            halted.cancel()
        if acquire.done() and not self._halted():
            return True
        acquire.cancel()
        return False

    async def _wait_for_change(self, timeout: float | None) -> None:
        self._changed.clear()
        if timeout is not None and timeout <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    def _start(self, recipient: Recipient) -> None:
        now = self.monotonic()
        if self.first_started is None:
            self.first_started = now
        self.started.append(now)
        self._unanswered[recipient.person_id] = recipient
        task = asyncio.get_running_loop().create_task(self._send_one(recipient, now))
        self._tasks.add(task)
        task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None and self._failure is None:
            self._failure = task.exception()
        self._changed.set()

    async def _drain(self) -> None:
        """Wait for the sends in flight; on a stop at most STOP_GRACE, then record the rest."""
        while self._tasks and not self._halted():
            await self._wait_for_change(None)
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=STOP_GRACE)
        late = list(self._unanswered.values())
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            await asyncio.wait(set(self._tasks))
        if late:
            reason = "no answer from Telegram before the bot stopped"
            await self._write(
                outcomes=[SendOutcome(r.person_id, "unconfirmed", reason) for r in late]
            )
            for _ in late:
                self._moved("sending", "unconfirmed")
            self._claimed -= len(late)
            self._unanswered.clear()
        if self._retries:  # their rows are pending already: the next run takes them
            self._retries.clear()

    # --- claiming recipients ----------------------------------------------------------------

    async def _next_candidate(self) -> Recipient | None:
        if self._retries and self._retries[0][0] <= self.monotonic():
            return heapq.heappop(self._retries)[2]
        if not self._page and not self._exhausted:
            page = await self.outbox.pending(self._cursor, PAGE)
            self._page.extend(page)
            if page:
                self._cursor = page[-1].person_id
            else:
                self._exhausted = True
        return self._page.popleft() if self._page else None

    async def _claim_next(self) -> Recipient | None:
        """The next claimed recipient; claims a few ahead in one write (`_batch`)."""
        while not self._ready and not self._halted():
            want = max(1, min(self._batch, self._limit - self._claimed))
            candidates: list[Recipient] = []
            while len(candidates) < want and (found := await self._next_candidate()) is not None:
                candidates.append(found)
            if not candidates:
                return None
            claimed = await self._write(claims=[c.person_id for c in candidates])
            for candidate in candidates:
                if candidate.person_id in claimed:
                    self._ready.append(candidate)
                    self._claimed += 1
                    self._moved("pending", "sending")
        return self._ready.popleft() if self._ready else None

    async def _give_back(self, recipients: list[Recipient], reason: str) -> None:
        await self._write(releases=[(r.person_id, reason) for r in recipients])
        self._claimed -= len(recipients)
        for _ in recipients:
            self._moved("sending", "pending")

    # --- one send ---------------------------------------------------------------------------

    async def _send_one(self, recipient: Recipient, started: float) -> None:
        while True:
            try:
                message_id = await self.send(recipient)
            except TelegramError as error:
                outcome = classify(error)
            else:
                outcome = Outcome("sent", message_id=message_id)
            if outcome.state != "pause":
                break
            logger.warning("flood control: pausing deliveries for %.0fs", outcome.pause)
            self.limiter.pause(outcome.pause)
            if not await self._slot():  # a 429 means it was not delivered: safe to give back
                self._unanswered.pop(recipient.person_id, None)
                await self._give_back([recipient], "not sent: stopped during a flood wait")
                return
            started = self.monotonic()
        self._unanswered.pop(recipient.person_id, None)
        self._measured(self.monotonic() - started)
        if outcome.state == "retry":
            await self._retry_later(recipient, outcome)
            return
        await self._write(
            outcomes=[
                SendOutcome(recipient.person_id, outcome.state, outcome.reason, outcome.message_id)
            ]
        )
        self._claimed -= 1
        self._moved("sending", outcome.state)

    async def _retry_later(self, recipient: Recipient, outcome: Outcome) -> None:
        attempts = recipient.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            await self._write(outcomes=[SendOutcome(recipient.person_id, "failed", outcome.reason)])
            self._claimed -= 1
            self._moved("sending", "failed")
            return
        await self._give_back([recipient], outcome.reason)
        delay = min(self.backoff**attempts, BACKOFF_MAX)
        retry = dataclasses.replace(recipient, attempts=attempts)
        heapq.heappush(self._retries, (self.monotonic() + delay, recipient.person_id, retry))

    def _measured(self, seconds: float) -> None:
        """Size the in-flight limit from the answer times seen (Little's law, with headroom)."""
        self._answers.append(seconds)
        self._measures += 1
        if self._measures > 8 and self._measures % 16:
            return
        ordered = sorted(self._answers)
        typical = ordered[int(0.9 * (len(ordered) - 1))] if len(ordered) >= 8 else ASSUMED_ANSWER
        wanted = math.ceil(2 * self.limiter.rate * max(typical, ASSUMED_ANSWER / 10)) + 2
        self._limit = max(MIN_IN_FLIGHT, min(self.max_in_flight, wanted))

    @property
    def stuck_on(self) -> DatabaseUnavailable | None:
        """The database fault the run is waiting out, if any."""
        return self.writer.stuck_on

    async def _write(
        self,
        *,
        claims: Sequence[int] = (),
        outcomes: Sequence[SendOutcome] = (),
        releases: Sequence[tuple[int, str]] = (),
    ) -> set[int]:
        return await self.writer.write(claims=claims, outcomes=outcomes, releases=releases)

    def _moved(self, old: str, new: str) -> None:
        self.counts[old] -= 1
        self.counts[new] += 1
