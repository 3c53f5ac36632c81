"""A lean Bot API client for bulk sends: JSON POSTs on aiohttp's keep-alive connection pool.

Delivery spends most of its CPU in building PTB's request and `Message` objects for each
send; bulk sends need none of them. This client posts one JSON body with aiohttp, reads the
answer, and raises the same `telegram.error` exceptions PTB would, so the engine classifies
outcomes identically. aiohttp rather than httpx (PTB's own HTTP library): at 200 sends a
second httpx's per-request overhead bunched sends enough to draw 429s from a server counting
per sliding second (bench/delivery.py: 0.90 of the rate with 7 429s, against 0.98 and none).
Interactive replies keep using the Application's bot; the two share nothing (no pool, no pause).
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

__all__ = ["BulkBotApi", "NotSent"]

_HEADERS = {"Content-Type": "application/json"}


class NotSent(NetworkError):
    """The request certainly did not reach Telegram (no connection was made): safe to retry."""


class BulkBotApi:
    """POSTs Bot API methods as JSON on a pool of keep-alive connections."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 20.0, pool: int = 16) -> None:
        self._url = f"{base_url}{token}"
        # Waiting for a free connection and connecting count as `connect`: nothing left yet.
        self._timeout = aiohttp.ClientTimeout(total=None, connect=timeout, sock_read=timeout)
        self._pool = pool
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        """The session, made on first use (inside the running event loop)."""
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout, connector=aiohttp.TCPConnector(limit=self._pool)
            )
        return self._session

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """Call `method`; return its result or raise the `telegram.error` PTB would raise."""
        body = json.dumps(params, ensure_ascii=False).encode()
        session = self._open()
        try:
            async with session.post(f"{self._url}/{method}", data=body, headers=_HEADERS) as answer:
                status, payload = answer.status, await answer.read()
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as error:
            raise NotSent(f"cannot connect, nothing was sent: {error!r}") from None
        except TimeoutError:
            # The request left: Telegram may have acted on it (ambiguous, never retried).
            raise TimedOut("Timed out waiting for the Bot API") from None
        except aiohttp.ClientError as error:
            # A reset or closed connection once the request was written: ambiguous as well.
            raise NetworkError(f"connection failed: {error!r}") from None
        return _result(status, payload)

    async def close(self) -> None:
        """Close the pooled connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None


def _result(status: int, payload: bytes) -> Any:
    try:
        answer = json.loads(payload)
    except ValueError:
        raise NetworkError(f"unreadable Bot API answer (HTTP {status})") from None
    if 200 <= status < 300 and answer.get("ok"):
        return answer.get("result")
    description = str(answer.get("description") or f"HTTP {status}")
    retry_after = (answer.get("parameters") or {}).get("retry_after")
    error: TelegramError
    if retry_after:
        error = RetryAfter(int(retry_after))
    elif status == 403:
        error = Forbidden(description)
    elif status == 400:
        error = BadRequest(description)
    elif status in (401, 404):
        error = InvalidToken(description)
    else:
        error = NetworkError(description)
    raise error
