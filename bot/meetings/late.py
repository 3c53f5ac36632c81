"""Invitations for people who join after a meeting was called, or can only now be reached."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.meetings.rules import AUDIENCE_ROLES
from storage.people import PeopleRepository

if TYPE_CHECKING:
    from bot.meetings.service import MeetingService

__all__ = ["invite_late_joiner"]

logger = logging.getLogger(__name__)


async def invite_late_joiner(service: MeetingService, person_id: int) -> int:
    """Send the person the invitation of every meeting still open for answers whose audience
    they belong to and that has not reached them yet; how many were sent.

    Called when they bind their account, are approved or given a role, or start the bot again.
    Each invitation is claimed in the database first, with a round of its own, so it is sent
    once however often this runs.
    """
    person = await PeopleRepository(service.db).get(person_id)
    if person is None or person.telegram_id is None or not person.reachable:
        return 0
    now = service.now()
    sent = 0
    for meeting in await service.repo.list_open(now):
        if meeting.deadline <= now or person.role not in AUDIENCE_ROLES[meeting.audience]:
            continue
        async with service.db.transaction() as tx:
            if not await service.repo.claim_late_invitation(tx, meeting.id, person.id):
                continue
            round_id = await service.rounds.repo.insert_invitations(
                tx, meeting.id, "invitation", now, person_id=person.id
            )
        logger.info("inviting person %s to meeting %s late", person.id, meeting.id)
        sent += (await service.rounds.run(round_id)).sent
    return sent
