"""A fake Bot API HTTP server on 127.0.0.1 for end-to-end runs of `run_bot.py`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote

from bot.transport import ApiCall, LocalBotApi

__all__ = ["HttpBotApi", "serve_bot_api"]

TOKEN = "123456:TEST-token-never-logged"


class HttpBotApi(LocalBotApi):
    """The in-process fake, answering over HTTP, with a queue of updates for getUpdates."""

    def __init__(self) -> None:
        super().__init__()
        self.lock = threading.Condition()
        self.pending: list[dict[str, Any]] = []
        self.responders["getUpdates"] = self._get_updates
        self.port = 0
        self.downloads: list[str] = []  # file paths fetched from /file/bot<token>/

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for the bot's next getUpdates."""
        with self.lock:
            self.pending.append(update)
            self.lock.notify_all()

    def wait_for(self, method: str, timeout: float = 20.0) -> ApiCall:
        """Block until the bot has made a call of `method`; return the first one."""
        with self.lock:
            found = self.lock.wait_for(
                lambda: any(call.method == method for call in self.calls), timeout
            )
            if not found:
                raise TimeoutError(f"the bot made no {method} call within {timeout}s")
            return next(call for call in self.calls if call.method == method)

    def _get_updates(self, call: ApiCall) -> list[dict[str, Any]]:
        offset = int(call.params.get("offset") or 0)
        timeout = min(float(call.params.get("timeout") or 0), 0.5)
        with self.lock:
            self.lock.wait_for(lambda: any(u["update_id"] >= offset for u in self.pending), timeout)
            return [u for u in self.pending if u["update_id"] >= offset]

    def handle_http(self, path: str, body: bytes, content_type: str) -> tuple[int, bytes]:
        """Answer one HTTP request to /bot<token>/<method>, or a download from /file/..."""
        parts = unquote(path).strip("/").split("/")
        if len(parts) == 3 and parts[:2] == ["file", f"bot{TOKEN}"]:
            with self.lock:
                self.downloads.append(parts[2])
                self.lock.notify_all()
            content = self.files.get(parts[2])
            return (200, content) if content is not None else (404, b"")
        if len(parts) != 2 or parts[0] != f"bot{TOKEN}":
            return 404, b'{"ok": false, "error_code": 404, "description": "Not Found"}'
        params: dict[str, Any] = {}
        if "json" in content_type and body:
            params = json.loads(body)
        elif body:
            params = dict(parse_qsl(body.decode()))
        status, payload, _, _ = self.answer(parts[1], params)
        with self.lock:
            self.lock.notify_all()
        return status, payload


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        try:
            self._answer()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the bot was killed before reading its answer

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        status, payload = self.server.api.handle_http(
            self.path, body, self.headers.get("Content-Type", "")
        )
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, api: HttpBotApi) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.api = api

    def handle_error(self, request: object, client_address: object) -> None:
        """A bot killed mid-request (crash tests) is expected, not an error."""


@contextmanager
def serve_bot_api() -> Iterator[HttpBotApi]:
    """Run a fake Bot API server on a free port of 127.0.0.1 for the duration of a test."""
    api = HttpBotApi()
    server = _Server(api)
    api.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
