"""What the secretariat looks up about notices: the overview, one notice in detail, its copies.

Each method returns what a screen needs and decides which notices it may show: a draft
is nobody's business but its author's preview, and only a notice that went out (or will)
can be corrected or recalled.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.clock import Clock
from bot.delivery_engine import DeliveryRun
from bot.notices.stores import NoticeStores
from storage.notice_outbox import NOT_REACHED, Unreachable
from storage.notice_receipts import Unconfirmed
from storage.notices import Notice

__all__ = ["Copies", "NoticeDetail", "NoticeLookup", "Overview"]


@dataclass(frozen=True)
class Overview:
    """`/notices`: scheduled and running ones first, then recent ones; (sent, of) for each
    running or finished delivery."""

    notices: list[Notice]
    progress: dict[int, tuple[int, int]]


@dataclass(frozen=True)
class NoticeDetail:
    """`/notices ID`: the notice, how each send ended, receipts, its actions, who to remind."""

    notice: Notice
    counts: dict[str, int]
    receipts: tuple[int, int] | None  # (confirmed, of) when receipts were asked
    actions: list[Notice]
    unconfirmed: list[Unconfirmed]

    @property
    def may_remind(self) -> bool:
        """Whether a follow-up can go to someone: a delivered copy not confirmed yet."""
        return bool(self.unconfirmed)

    @property
    def not_reached(self) -> int:
        """How many recipients the notice did not reach (to phone instead)."""
        return sum(self.counts.get(state, 0) for state in NOT_REACHED)


@dataclass(frozen=True)
class Copies:
    """A notice's copies as a correction or recall finds them."""

    delivered: int  # on record, with a message id
    too_old: int  # of them, older than Telegram lets a bot delete
    waiting: int  # still to be sent


class NoticeLookup:
    """Reads about notices for the secretariat's screens."""

    def __init__(self, stores: NoticeStores, clock: Clock, runs: Mapping[int, DeliveryRun]) -> None:
        self.repo = stores.notices
        self.outbox = stores.outbox
        self.receipts = stores.receipts
        self.action_rows = stores.actions
        self.clock = clock
        self.runs = runs  # the deliveries running now, by notice id

    async def notice(self, notice_id: int) -> Notice | None:
        """One notice, as a button names it."""
        return await self.repo.get(notice_id)

    async def overview(self) -> Overview:
        """The active notices and the recent ones, with the progress of their deliveries."""
        notices = await self.repo.list_for_overview()
        progress = {nid: (run.finished, run.total) for nid, run in self.runs.items()}
        for notice in notices:
            finished = notice.status in ("done", "cancelled") and notice.total
            if finished and notice.id not in progress:
                counts = await self.outbox.counts(notice.id)
                progress[notice.id] = (counts.get("sent", 0), notice.total)
        return Overview(notices, progress)

    async def cancellable(self) -> list[Notice]:
        """The notices a cancellation can still stop: waiting, scheduled or sending."""
        return await self.repo.active()

    async def detail(self, notice_id: int) -> NoticeDetail | None:
        """One notice in full; None when there is none (a draft is not shown)."""
        notice = await self.repo.get(notice_id)
        if notice is None or notice.status == "draft":
            return None
        return NoticeDetail(
            notice,
            await self.outbox.counts(notice.id),
            await self.receipts.receipt_summary(notice.id) if notice.ack else None,
            await self.repo.actions_list(notice.id),
            await self.receipts.unconfirmed(notice.id) if notice.ack else [],
        )

    async def unreachable(self, notice_id: int) -> list[Unreachable]:
        """The recipients the notice did not reach, by name."""
        return await self.outbox.unreachable(notice_id)

    async def correctable(self, notice_id: int) -> Notice | None:
        """The notice if it can be corrected or recalled: a notice (not an action on one)
        that was confirmed (not a draft) and not rejected."""
        notice = await self.repo.get(notice_id)
        if notice is None or notice.kind != "notice" or notice.status in ("draft", "rejected"):
            return None
        return notice

    async def copies(self, notice_id: int) -> Copies:
        """What a correction or recall of the notice would find now."""
        delivered, too_old, waiting = await self.action_rows.copies(notice_id, self.clock.now())
        return Copies(delivered, too_old, waiting)
