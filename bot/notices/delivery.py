"""A notice's outbox as the paced engine reads and writes it.

The engine (`bot.delivery_engine`) paces, claims, records and stops; `bot.notices.copies`
says what each send (or edit, or delete) is; this module says where the per-recipient rows
live. Per recipient, the row is `sending`
while the send is in flight and then records its outcome; a crash therefore leaves only the
sends in flight `sending`. At start-up those go back to `pending` and are sent again (the only
possible duplicates). A row recorded with any other state is never sent again.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.clock import Clock
from bot.delivery_engine import (
    MAX_ATTEMPTS,
    DeliveryRun,
    Outcome,
    certainly_not_sent,
    classify,
    max_in_flight,
)
from storage.notice_outbox import Recipient, SendOutcome
from storage.notices import NoticeRepository

__all__ = [
    "MAX_ATTEMPTS",
    "DeliveryRun",
    "NoticeOutbox",
    "Outcome",
    "certainly_not_sent",
    "classify",
    "max_in_flight",
]


class NoticeOutbox:
    """The outbox rows of one notice's delivery, as the engine reads and writes them."""

    def __init__(self, repo: NoticeRepository, notice_id: int, clock: Clock) -> None:
        self.repo = repo
        self.notice_id = notice_id
        self.clock = clock
        # The text revision each send in flight carries (a correction may land meanwhile).
        self.revisions: dict[int, int] = {}

    async def counts(self) -> dict[str, int]:
        """How many rows are in each state."""
        return await self.repo.counts(self.notice_id)

    async def pending(self, after_person: int, limit: int) -> list[Recipient]:
        """The next page of pending rows."""
        return await self.repo.pending(self.notice_id, after_person, limit)

    async def record(
        self,
        claims: Sequence[int],
        outcomes: Sequence[SendOutcome],
        releases: Sequence[tuple[int, str]],
    ) -> set[int]:
        """Record outcomes and releases and claim rows, in one transaction."""
        revisions = {o.person_id: self.revisions.pop(o.person_id, None) for o in outcomes}
        return await self.repo.record_sends(
            self.notice_id,
            claims,
            outcomes,
            releases,
            self.clock.now(),
            {person: revision for person, revision in revisions.items() if revision is not None},
        )
