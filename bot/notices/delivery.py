"""The delivery engine: paced workers over the per-recipient outbox, one notice at a time each.

Per recipient, the outbox row is written before the send (`sending`) and after it (the
outcome); the outcome write also claims the worker's next recipient, so each send costs one
transaction. A crash therefore leaves at most one `sending` row per worker; at start-up those
go back to `pending` and are sent again (the only possible duplicates). A row recorded with
any other state is never sent again.

Outcomes:
- success: `sent`.
- 429: every worker pauses for retry_after, then the same recipient is tried again.
- 403 "bot was blocked by the user": `blocked`; 403 "user is deactivated", "bot can't
  initiate conversation" and 400 "chat not found": `never_started`. Both mark the person
  unreachable (skipped by later notices until they start the bot again).
- other 400s and API errors: `failed`, with Telegram's reason.
- a send whose fate is unknown: the request may have reached Telegram but no answer came
  back (read timeout, connection reset or closed while waiting for the answer, a 5xx or an
  unreadable answer): `unconfirmed`. Telegram may well have delivered it and the Bot API has
  no idempotency key, so it is never sent again (a possible loss is preferred to a likely
  duplicate); the report counts it apart, as uncertain, not as delivered.
- errors where the request certainly did not arrive (no connection could be made, no free
  connection in the pool): tried again with exponential backoff (the row goes back to
  `pending` meanwhile); `failed` after MAX_ATTEMPTS.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import math
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx
from telegram import Bot, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.clock import Clock
from bot.messaging import refusal_of
from bot.notices.bulkapi import BulkBotApi, NotSent
from bot.notices.pacing import SmoothLimiter, retry_after_seconds
from storage.notices import Notice, NoticeRepository, Recipient

__all__ = [
    "MAX_ATTEMPTS",
    "WORKERS",
    "DeliveryRun",
    "Outcome",
    "certainly_not_sent",
    "classify",
    "send_notice",
    "send_notice_bulk",
    "workers_for",
]

logger = logging.getLogger(__name__)

WORKERS = 8  # the default; `workers_for(rate)` sizes it to the configured rate


def workers_for(rate: float) -> int:
    """Enough workers to keep `rate` with ~0.3 s per send cycle (Telegram's round trip plus the
    outbox write), between 4 and 32. Also the bound on sends repeated after a crash."""
    return max(4, min(32, math.ceil(rate * 0.3)))


MAX_ATTEMPTS = 5
PAGE = 256
BACKOFF_BASE = 2.0
BACKOFF_MAX = 60.0
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


@dataclass(frozen=True)
class Outcome:
    """How one send ended: a terminal outbox state, `retry` or `pause`."""

    state: str
    reason: str = ""
    pause: float = 0.0


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


async def send_notice(bot: Bot, notice: Notice, chat_id: int, language: str) -> None:
    """Send the notice in `language` (else the other version) to one chat."""
    text = notice.text_for(language)
    if notice.media_kind == "photo" and notice.media_file_id:
        await bot.send_photo(chat_id, notice.media_file_id, caption=text, parse_mode=ParseMode.HTML)
    elif notice.media_kind == "document" and notice.media_file_id:
        await bot.send_document(
            chat_id, notice.media_file_id, caption=text, parse_mode=ParseMode.HTML
        )
    else:
        await bot.send_message(
            chat_id, text, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        )


async def send_notice_bulk(api: BulkBotApi, notice: Notice, chat_id: int, language: str) -> None:
    """Like `send_notice`, through the lean bulk client."""
    text = notice.text_for(language)
    params: dict[str, object] = {"chat_id": chat_id, "parse_mode": "HTML"}
    if notice.media_kind in ("photo", "document") and notice.media_file_id:
        params.update({notice.media_kind: notice.media_file_id, "caption": text})
        method = "sendPhoto" if notice.media_kind == "photo" else "sendDocument"
    else:
        params.update({"text": text, "link_preview_options": {"is_disabled": True}})
        method = "sendMessage"
    await api.call(method, params)


Sender = Callable[[Notice, Recipient], Awaitable[None]]


@dataclass
class DeliveryRun:
    """One notice's delivery: its workers, counters and cancel switch."""

    notice: Notice
    repo: NoticeRepository
    send: Sender
    limiter: SmoothLimiter
    clock: Clock
    workers: int = WORKERS
    backoff: float = BACKOFF_BASE
    monotonic: Callable[[], float] = time.monotonic
    counts: Counter[str] = field(default_factory=Counter)
    cancelled: asyncio.Event = field(default_factory=asyncio.Event)
    recent: deque[float] = field(default_factory=lambda: deque(maxlen=4096))
    _cursor: int = 0
    _page: deque[Recipient] = field(default_factory=deque)
    _exhausted: bool = False
    _retries: list[tuple[float, int, Recipient]] = field(default_factory=list)
    _page_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _active: int = 0

    @property
    def total(self) -> int:
        """Recipients in the outbox."""
        return sum(self.counts.values())

    @property
    def finished(self) -> int:
        """Recipients in a terminal state."""
        return self.total - self.counts["pending"] - self.counts["sending"]

    def rate(self, window: float = 10.0) -> float:
        """Sends per second over the last `window` seconds."""
        now = self.monotonic()
        while self.recent and self.recent[0] < now - window:
            self.recent.popleft()
        if len(self.recent) < 2:
            return 0.0
        return len(self.recent) / max(now - self.recent[0], 1e-3)

    async def run(self) -> None:
        """Send to every pending recipient with `workers` paced workers."""
        self.counts = Counter(await self.repo.counts(self.notice.id))
        tasks = [asyncio.create_task(self._worker()) for _ in range(self.workers)]
        try:
            await asyncio.gather(*tasks)
        finally:
            for task in tasks:
                task.cancel()

    async def _take(self) -> Recipient | None:
        """The next recipient to try: a due retry, else the next pending row."""
        while not self.cancelled.is_set():
            now = self.monotonic()
            if self._retries and self._retries[0][0] <= now:
                return heapq.heappop(self._retries)[2]
            async with self._page_lock:
                if not self._page and not self._exhausted:
                    page = await self.repo.pending(self.notice.id, self._cursor, PAGE)
                    self._page.extend(page)
                    if page:
                        self._cursor = page[-1].person_id
                    else:
                        self._exhausted = True
                if self._page:
                    return self._page.popleft()
            if not self._retries:
                return None
            await asyncio.sleep(min(self._retries[0][0] - now, 1.0))
        return None

    async def _claim_first(self) -> Recipient | None:
        while (candidate := await self._take()) is not None:
            if await self.repo.mark_sending(self.notice.id, candidate.person_id, self.clock.now()):
                self._moved("pending", "sending")
                return candidate
        return None

    async def _worker(self) -> None:
        recipient = await self._claim_first()
        while recipient is not None:
            outcome = await self._attempt(recipient)
            if outcome.state == "retry":
                await self._schedule_retry(recipient, outcome)
                recipient = await self._claim_first()
                continue
            candidate = await self._take()
            claimed = await self.repo.mark_result(
                self.notice.id,
                recipient.person_id,
                outcome.state,
                outcome.reason,
                self.clock.now(),
                next_to_send=candidate.person_id if candidate else None,
            )
            self._moved("sending", outcome.state)
            if candidate is None:
                recipient = None
            elif claimed:
                self._moved("pending", "sending")
                recipient = candidate
            else:
                recipient = await self._claim_first()

    async def _attempt(self, recipient: Recipient) -> Outcome:
        """Send once, waiting out any 429 pauses; return a terminal state or `retry`."""
        while True:
            await self.limiter.acquire()
            try:
                await self.send(self.notice, recipient)
            except TelegramError as error:
                outcome = classify(error)
            else:
                self.recent.append(self.monotonic())
                return Outcome("sent")
            if outcome.state == "pause":
                logger.warning("flood control: pausing notice delivery for %.0fs", outcome.pause)
                self.limiter.pause(outcome.pause)
                continue
            if outcome.state == "unconfirmed":
                self.recent.append(self.monotonic())
            return outcome

    async def _schedule_retry(self, recipient: Recipient, outcome: Outcome) -> None:
        attempts = recipient.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            await self.repo.mark_result(
                self.notice.id, recipient.person_id, "failed", outcome.reason, self.clock.now()
            )
            self._moved("sending", "failed")
            return
        await self.repo.release(self.notice.id, recipient.person_id, outcome.reason)
        self._moved("sending", "pending")
        delay = min(self.backoff**attempts, BACKOFF_MAX)
        retry = Recipient(recipient.person_id, recipient.chat_id, recipient.language, attempts)
        heapq.heappush(self._retries, (self.monotonic() + delay, recipient.person_id, retry))

    def _moved(self, old: str, new: str) -> None:
        self.counts[old] -= 1
        self.counts[new] += 1
