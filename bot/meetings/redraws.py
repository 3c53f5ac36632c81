"""Redraws of invitations after taps: queued, coalesced per person, paced under the rate."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.meetings.service import MeetingService

__all__ = ["InvitationRedraws"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Refresh:
    """An invitation message to redraw after an answer changed (and maybe a reason to ask)."""

    chat_id: int
    message_id: int | None
    ask_reason: bool


class InvitationRedraws:
    """The queue of invitation messages to edit after answers changed."""

    def __init__(self, service: MeetingService) -> None:
        self.service = service
        self._refresh: dict[tuple[int, int], _Refresh] = {}
        self._worker: asyncio.Task[None] | None = None

    def queue(
        self,
        meeting_id: int,
        person_id: int,
        chat_id: int,
        message_id: int | None,
        *,
        ask_reason: bool = False,
    ) -> None:
        """Queue the redraw of an invitation after a tap; repeated taps of one person coalesce.

        The tap itself is answered at once; redraws (edits count against Telegram's limits)
        follow in order, paced under the broadcast rate, each showing the answer as stored then.
        """
        key = (meeting_id, person_id)
        previous = self._refresh.get(key)
        self._refresh[key] = _Refresh(
            chat_id, message_id, ask_reason or (previous is not None and previous.ask_reason)
        )
        if self._worker is None or self._worker.done():
            self._worker = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while self._refresh:
            key = next(iter(self._refresh))
            item = self._refresh.pop(key)
            await self._redraw(key, item)
            if self.service.send_interval:
                await asyncio.sleep(self.service.send_interval)

    async def flush(self) -> None:
        """Redraw every queued invitation now (tests, shut-down)."""
        while self._refresh:
            key = next(iter(self._refresh))
            await self._redraw(key, self._refresh.pop(key))
        if self._worker is not None and not self._worker.done():
            await self._worker

    async def _redraw(self, key: tuple[int, int], item: _Refresh) -> None:
        """Edit one invitation to its stored answer; after a No, ask for the reason."""
        try:
            meeting = await self.service.repo.get(key[0])
            invitee = await self.service.repo.invitee(*key)
            if meeting is None or invitee is None:
                return
            if item.message_id is not None:
                text, markup = await self.service.views.invitation(
                    meeting, invitee, invitee.language
                )
                await self.service.messenger.edit_text(item.chat_id, item.message_id, text, markup)
            if item.ask_reason and invitee.response == "no" and not invitee.note:
                await self.service.reasons.ask(meeting, invitee)
            if item.ask_reason and invitee.response == "no":
                await self.service.day.offer_proxy(meeting, invitee)
        except Exception:
            logger.exception("could not redraw the invitation of %s", key)
