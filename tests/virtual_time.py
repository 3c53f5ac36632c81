"""An event loop on virtual time: `asyncio.sleep(5)` returns at once, with the loop's clock 5 s on.

The loop's clock moves only when nothing is ready to run and no SQLite call is under way on
aiosqlite's thread (a database call takes no virtual time), straight to the next timer. So
a slow fake Telegram (`await asyncio.sleep(1.5)` per answer) costs no wall-clock time, and
rates measured on `loop.time()` are exact and repeatable.
"""

from __future__ import annotations

import asyncio
import contextlib
import selectors
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import aiosqlite.core

__all__ = ["VirtualTimeLoop", "run_virtual"]

T = TypeVar("T")


class _DatabaseCalls:
    """Counts aiosqlite calls under way (while one is, virtual time must not move)."""

    busy = 0

    @classmethod
    @contextlib.contextmanager
    def watched(cls) -> Iterator[None]:
        original = aiosqlite.core.Connection._execute

        async def execute(self: Any, fn: Any, *args: Any, **kwargs: Any) -> Any:
            cls.busy += 1
            try:
                return await original(self, fn, *args, **kwargs)
            finally:
                cls.busy -= 1

        aiosqlite.core.Connection._execute = execute  # type: ignore[method-assign]
        try:
            yield
        finally:
            aiosqlite.core.Connection._execute = original  # type: ignore[method-assign]


class _VirtualSelector:
    """Wraps the loop's selector: a wait for a timer advances the clock instead of sleeping."""

    def __init__(self, real: selectors.BaseSelector, loop: VirtualTimeLoop) -> None:
        self._real = real
        self._loop = loop

    def select(self, timeout: float | None = None) -> list[Any]:
        if timeout is not None and timeout <= 0:
            return self._real.select(0)
        if _DatabaseCalls.busy:
            # The database thread will wake the loop; wait for it in real time.
            return self._real.select(timeout if timeout is None else min(timeout, 1.0))
        events = self._real.select(0)
        if events or timeout is None:
            return events or self._real.select(None)
        self._loop.advance(timeout)
        return []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose `time()` is virtual (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._virtual_now = 0.0
        self._selector = _VirtualSelector(self._selector, self)  # type: ignore[has-type]

    def time(self) -> float:
        return self._virtual_now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self._virtual_now += seconds


def run_virtual(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run `coroutine` to completion on a fresh virtual-time loop."""
    loop = VirtualTimeLoop()
    try:
        with _DatabaseCalls.watched():
            return loop.run_until_complete(coroutine)
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
