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

Outcomes:
- success: `sent`.
- 429: every sender pauses for retry_after (the limiter is shared), then the same recipient
  is tried again.
- 403 "bot was blocked by the user": `blocked`; 403 "user is deactivated", "bot can't
  initiate conversation" and 400 "chat not found": `never_started`.
- other 400s and API errors: `failed`, with Telegram's reason.
- a send whose fate is unknown (read timeout, reset once the request left, a 5xx, an
  unreadable answer, no answer before a stop): `unconfirmed`. Telegram may have delivered it
  and the Bot API has no idempotency key, so it is never sent again.
- errors where the request certainly did not arrive (no connection could be made): tried
  again with exponential backoff (the row goes back to `pending` meanwhile); `failed` after
  MAX_ATTEMPTS.

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
from dataclasses import dataclass
from typing import Protocol

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.clock import Clock
from bot.messaging import refusal_of
from bot.notices.bulkapi import NotSent
from bot.notices.pacing import SmoothLimiter, loop_time, retry_after_seconds
from storage.faults import DatabaseUnavailable
from storage.notice_outbox import Recipient, SendOutcome

__all__ = [
    "MAX_ATTEMPTS",
    "STOP_GRACE",
    "DeliveryRun",
    "Outbox",
    "Outcome",
    "certainly_not_sent",
    "classify",
    "max_in_flight",
]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
PAGE = 256
BACKOFF_BASE = 2.0
BACKOFF_MAX = 60.0
STOP_GRACE = 5.0
WRITE_RETRY_FIRST = 0.5  # seconds before a failed outbox write is tried again, doubling
WRITE_RETRY_MAX = 15.0
MIN_IN_FLIGHT = 4
ASSUMED_ANSWER = 1.0  # seconds, until answers have been measured


def max_in_flight(rate: float) -> int:
    """The most sends ever in flight at `rate`: ten seconds' worth, between 8 and 512.

    Also the bound on the sends that may be repeated after a crash.
    """
    return max(8, min(512, math.ceil(rate * 10)))


@dataclass(frozen=True)
class Outcome:
    """How one send ended: a terminal outbox state, `retry` or `pause`."""

    state: str
    reason: str = ""
    pause: float = 0.0
    message_id: int | None = None


# Raised by httpx (under PTB's NetworkError or TimedOut) before any byte of the request left.
_NOT_SENT_CAUSES = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def certainly_not_sent(error: TelegramError) -> bool:
    """True when the request cannot have reached Telegram, so sending again is safe."""
    if isinstance(error, NotSent) or isinstance(error.__cause__, _NOT_SENT_CAUSES):
        return True
    return isinstance(error, TimedOut) and "pool timeout" in str(error.message).lower()


def classify(error: TelegramError) -> Outcome:
    """Map a Bot API error to what the outbox records (see the module docstring)."""
    if isinstance(error, RetryAfter):
        return Outcome("pause", error.message, retry_after_seconds(error))
    refusal = refusal_of(error)
    if refusal is not None:
        return Outcome(refusal, error.message)
    if isinstance(error, BadRequest):
        return Outcome("failed", error.message)
    if isinstance(error, NetworkError):  # TimedOut included
        if certainly_not_sent(error):
            return Outcome("retry", error.message)
        return Outcome("unconfirmed", error.message)
    return Outcome("failed", error.message)


class Outbox(Protocol):
    """One delivery's per-recipient rows, as the engine reads and writes them."""

    async def counts(self) -> dict[str, int]:
        """How many rows are in each state."""
        ...

    async def pending(self, after_person: int, limit: int) -> list[Recipient]:
        """The next page of pending rows, by person id."""
        ...

    async def record(
        self,
        claims: Sequence[int],
        outcomes: Sequence[SendOutcome],
        releases: Sequence[tuple[int, str]],
    ) -> set[int]:
        """In one transaction: record outcomes, put released rows back to pending, and claim
        pending rows (`sending`); return the person ids actually claimed."""
        ...


# A send returns the id of the message it made (None when unknown).
Sender = Callable[[Recipient], Awaitable[int | None]]


@dataclass
class _Write:
    claims: Sequence[int]
    outcomes: Sequence[SendOutcome]
    releases: Sequence[tuple[int, str]]
    done: asyncio.Future[set[int]]


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
        self.pause = pause  # between tries of an outbox write the database refused
        self.on_stuck = on_stuck  # told once when the database starts refusing the writes
        self.stuck_on: DatabaseUnavailable | None = None  # the fault being waited out, if any
        self.write_retries = 0
        self._closing = False
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
        self._writes: list[_Write] = []
        self._writer: asyncio.Task[None] | None = None
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
            self._closing = True  # a write still refused is not tried again
            if self._writer is not None and not self._writer.done():
                with contextlib.suppress(BaseException):
                    await self._writer
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

    # --- the outbox writes ------------------------------------------------------------------

    async def _write(
        self,
        *,
        claims: Sequence[int] = (),
        outcomes: Sequence[SendOutcome] = (),
        releases: Sequence[tuple[int, str]] = (),
    ) -> set[int]:
        """Queue a write; writes queued together go in one transaction."""
        done: asyncio.Future[set[int]] = asyncio.get_running_loop().create_future()
        self._writes.append(_Write(claims, outcomes, releases, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._flush())
        return await asyncio.shield(done)

    async def _flush(self) -> None:
        while self._writes:
            batch, self._writes = self._writes, []
            try:
                claimed = await self._record(batch)
            except Exception as error:
                for write in batch:
                    if not write.done.done():
                        write.done.set_exception(error)
                continue
            for write in batch:
                if not write.done.done():
                    write.done.set_result(claimed.intersection(write.claims))

    async def _record(self, batch: list[_Write]) -> set[int]:
        """Write a batch, trying again with backoff while the database refuses it.

        A refused write was rolled back whole, so trying it again is safe; meanwhile nobody
        new is claimed, so nothing is sent without its record. A stop or cancel gives up.
        """
        delay = WRITE_RETRY_FIRST
        while True:
            try:
                claimed = await self.outbox.record(
                    [c for w in batch for c in w.claims],
                    [o for w in batch for o in w.outcomes],
                    [r for w in batch for r in w.releases],
                )
            except DatabaseUnavailable as error:
                if self._halted() or self._closing:
                    raise
                self.write_retries += 1
                if self.stuck_on is None:
                    self.stuck_on = error
                    logger.warning("delivery waits for the database: %s", error)
                    if self.on_stuck is not None:
                        try:
                            await self.on_stuck(error)
                        except Exception:
                            logger.exception("could not tell that the delivery waits")
                await self.pause(delay)
                delay = min(delay * 2, WRITE_RETRY_MAX)
                continue
            if self.stuck_on is not None:
                logger.info("the database took the delivery's writes again; going on")
                self.stuck_on = None
            return claimed

    def _moved(self, old: str, new: str) -> None:
        self.counts[old] -= 1
        self.counts[new] += 1
