"""A lean Bot API client for bulk sends: keep-alive HTTP/1.1 connections over asyncio streams.

Delivery spends almost all its CPU in the general-purpose HTTP stack (httpx plus PTB's
request and Message objects: about 5 ms a send on a shared core, which capped a 200/s
delivery at ~165/s). Bulk sends need none of it: this client writes one JSON POST on a
connection of its own pool, reads the answer, and raises the same `telegram.error`
exceptions PTB would, so the engine classifies outcomes identically. Interactive replies keep
using the Application's bot; the two share nothing (no pool, no pause).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
from typing import Any
from urllib.parse import urlsplit

from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

__all__ = ["RawBotApi"]

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


class RawBotApi:
    """POSTs Bot API methods as JSON on pooled keep-alive connections."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 20.0, pool: int = 16) -> None:
        parts = urlsplit(f"{base_url}{token}")
        self._tls = parts.scheme == "https"
        self._host = parts.hostname or "api.telegram.org"
        self._port = parts.port or (443 if self._tls else 80)
        self._prefix = parts.path.rstrip("/")
        self._timeout = timeout
        self._idle: list[Connection] = []
        self._pool = pool
        self._context = ssl.create_default_context() if self._tls else None

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """Call `method`; return its result or raise the `telegram.error` PTB would raise."""
        body = json.dumps(params, ensure_ascii=False).encode()
        head = (
            f"POST {self._prefix}/{method} HTTP/1.1\r\nHost: {self._host}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: keep-alive\r\n\r\n"
        ).encode()
        connection = self._idle.pop() if self._idle else None
        reused = connection is not None
        while True:
            if connection is None:
                connection = await self._connect()
            reader, writer = connection
            try:
                writer.write(head + body)
                status, payload, keep = await asyncio.wait_for(
                    self._response(reader), self._timeout
                )
            except TimeoutError:
                writer.close()
                raise TimedOut("Timed out waiting for the Bot API") from None
            except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                writer.close()
                if reused and isinstance(error, asyncio.IncompleteReadError) and not error.partial:
                    # The server had closed this idle connection before reading the request.
                    connection, reused = None, False
                    continue
                raise NetworkError(f"connection lost: {error!r}") from None
            if keep and len(self._idle) < self._pool:
                self._idle.append(connection)
            else:
                writer.close()
            return _result(status, payload)

    async def _connect(self) -> Connection:
        try:
            return await asyncio.wait_for(
                asyncio.open_connection(self._host, self._port, ssl=self._context), self._timeout
            )
        except (OSError, TimeoutError) as error:
            raise NetworkError(f"cannot connect: {error!r}") from None

    @staticmethod
    async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
        status_line = await reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := await reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        if headers.get("transfer-encoding") == "chunked":
            chunks = []
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                chunks.append(await reader.readexactly(size))
                await reader.readexactly(2)
            await reader.readuntil(b"\r\n")
            payload = b"".join(chunks)
        else:
            payload = await reader.readexactly(int(headers.get("content-length", "0")))
        keep = headers.get("connection") != "close" and not status_line.startswith(b"HTTP/1.0")
        return status, payload, keep

    async def close(self) -> None:
        """Close the idle connections."""
        while self._idle:
            _, writer = self._idle.pop()
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


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
