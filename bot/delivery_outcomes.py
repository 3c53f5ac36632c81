"""How a send to Telegram ended, as an outbox records it, and the bound on sends in flight.

- success: `sent`.
- 429: `pause` for retry_after (the engine's limiter is shared), then the same recipient is
  tried again.
- 403 "bot was blocked by the user": `blocked`; 403 "user is deactivated", "bot can't
  initiate conversation" and 400 "chat not found": `never_started`.
- other 400s and API errors: `failed`, with Telegram's reason.
- a send whose fate is unknown (read timeout, reset once the request left, a 5xx, an
  unreadable answer, no answer before a stop): `unconfirmed`. Telegram may have delivered it
  and the Bot API has no idempotency key, so it is never sent again.
- errors where the request certainly did not arrive (no connection could be made): `retry`
  with exponential backoff; `failed` after MAX_ATTEMPTS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.messaging import refusal_of
from bot.notices.bulkapi import NotSent
from bot.notices.pacing import retry_after_seconds

__all__ = ["MAX_ATTEMPTS", "Outcome", "certainly_not_sent", "classify", "max_in_flight"]

MAX_ATTEMPTS = 5


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
