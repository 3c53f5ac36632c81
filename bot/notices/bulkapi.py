"""A lean Bot API client for bulk sends: JSON POSTs on httpx's keep-alive connection pool.

Delivery spends most of its CPU in building PTB's request and `Message` objects for each
send; bulk sends need none of them. This client posts one JSON body with httpx (the HTTP
library PTB itself uses), reads the answer, and raises the same `telegram.error` exceptions
PTB would, so the engine classifies outcomes identically. Interactive replies keep using the
Application's bot; the two share nothing (no pool, no pause).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

__all__ = ["BulkBotApi"]

_HEADERS = {"Content-Type": "application/json"}


class BulkBotApi:
    """POSTs Bot API methods as JSON on a pool of keep-alive connections."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 20.0, pool: int = 16) -> None:
        self._url = f"{base_url}{token}"
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
        )

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """Call `method`; return its result or raise the `telegram.error` PTB would raise."""
        body = json.dumps(params, ensure_ascii=False).encode()
        try:
            response = await self._client.post(
                f"{self._url}/{method}", content=body, headers=_HEADERS
            )
        except httpx.PoolTimeout:
            raise TimedOut("Pool timeout: no connection free, nothing was sent") from None
        except httpx.TimeoutException:
            raise TimedOut("Timed out waiting for the Bot API") from None
        except httpx.HTTPError as error:
            raise NetworkError(f"connection failed: {error!r}") from None
        return _result(response.status_code, response.content)

    async def close(self) -> None:
        """Close the pooled connections."""
        await self._client.aclose()


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
