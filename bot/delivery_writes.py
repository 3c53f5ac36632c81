"""The delivery engine's outbox writes: batched into one transaction, waited out when refused.

Claims and outcomes that arrive together share one transaction. A write the database refuses
(busy beyond its wait, a full disk) was rolled back whole, so it is tried again after
`WRITE_RETRY_FIRST` seconds, doubling up to `WRITE_RETRY_MAX`; the first refusal of a spell
is told once (`on_stuck`). Meanwhile nobody new is claimed, so nothing is sent without its
record. A stop or cancel gives up instead of waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from storage.faults import DatabaseUnavailable
from storage.outbox import Recipient, SendOutcome

__all__ = ["WRITE_RETRY_FIRST", "WRITE_RETRY_MAX", "Outbox", "OutboxWriter", "waited_out"]

logger = logging.getLogger(__name__)

WRITE_RETRY_FIRST = 0.5  # seconds before a failed outbox write is tried again, doubling
WRITE_RETRY_MAX = 4.0  # so a fault that has ended is noticed within a few seconds

T = TypeVar("T")


async def waited_out(
    write: Callable[[], Awaitable[T]],
    *,
    pause: Callable[[float], Awaitable[None]],
    on_stuck: Callable[[DatabaseUnavailable], Awaitable[None]],
    give_up: Callable[[], bool] = lambda: False,
) -> T | None:
    """A delivery's bookkeeping write (its status, its report), tried again with the same
    backoff while the database refuses it; `on_stuck` at each refusal (it tells once).
    None when `give_up()` says to stop trying (a stop: the next start finishes it)."""
    delay = WRITE_RETRY_FIRST
    while True:
        try:
            return await write()
        except DatabaseUnavailable as error:
            if give_up():
                return None
            logger.warning("delivery bookkeeping waits for the database: %s", error)
            await on_stuck(error)
            await pause(delay)
            delay = min(delay * 2, WRITE_RETRY_MAX)


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


@dataclass
class _Write:
    claims: Sequence[int]
    outcomes: Sequence[SendOutcome]
    releases: Sequence[tuple[int, str]]
    done: asyncio.Future[set[int]]


class OutboxWriter:
    """Queues a delivery's outbox writes and records them, batch by batch, in order."""

    def __init__(
        self,
        outbox: Outbox,
        *,
        halted: Callable[[], bool],
        pause: Callable[[float], Awaitable[None]] = asyncio.sleep,
        on_stuck: Callable[[DatabaseUnavailable], Awaitable[None]] | None = None,
    ) -> None:
        self.outbox = outbox
        self.halted = halted  # a stop or cancel came: a refused write is not tried again
        self.pause = pause  # between tries of a write the database refused
        self.on_stuck = on_stuck  # told once when the database starts refusing the writes
        self.stuck_on: DatabaseUnavailable | None = None  # the fault being waited out, if any
        self.retries = 0
        self.closing = False  # the run is over: a refused write is not tried again
        self._writes: list[_Write] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(
        self,
        *,
        claims: Sequence[int] = (),
        outcomes: Sequence[SendOutcome] = (),
        releases: Sequence[tuple[int, str]] = (),
    ) -> set[int]:
        """Queue a write; writes queued together go in one transaction. The ids claimed."""
        done: asyncio.Future[set[int]] = asyncio.get_running_loop().create_future()
        self._writes.append(_Write(claims, outcomes, releases, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.get_running_loop().create_task(self._flush())
        return await asyncio.shield(done)

    async def close(self) -> None:
        """The run is over: let the write under way end (a refused one is not tried again)."""
        self.closing = True
        if self._writer is not None and not self._writer.done():
            with contextlib.suppress(BaseException):  # its callers hear of it through their futures
                await self._writer

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
        """Write a batch, trying again with backoff while the database refuses it."""
        delay = WRITE_RETRY_FIRST
        while True:
            try:
                claimed = await self.outbox.record(
                    [c for w in batch for c in w.claims],
                    [o for w in batch for o in w.outcomes],
                    [r for w in batch for r in w.releases],
                )
            except DatabaseUnavailable as error:
                if self.halted() or self.closing:
                    raise
                self.retries += 1
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
