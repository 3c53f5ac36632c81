"""What the secretariat is told about the roster on its own: people joining or leaving it."""

from __future__ import annotations

import logging

from bot.i18n import t
from bot.messaging import Messenger
from storage.people import PeopleRepository, Person, Role
from storage.roster import RosterRepository

__all__ = ["tell_secretariat_of", "tell_secretariat_of_reach"]

logger = logging.getLogger(__name__)


async def tell_secretariat_of(
    messenger: Messenger,
    people: PeopleRepository,
    roster: RosterRepository,
    key: str,
    role: Role,
    *,
    name: str = "",
    person_id: int,
) -> int:
    """Send every reachable secretariat member `roster.news_<key>` about one person, with the
    count of their role now (it moves the council quorum); how many were told."""
    counts = await roster.reach_counts()
    told = 0
    for chat_id in await people.secretariat_chat_ids():
        member = await people.get_by_telegram_id(chat_id)
        if member is None or member.id == person_id:
            continue
        language = member.spoken_language
        text = t(
            language,
            f"roster.news_{key}",
            name=name or f"#{person_id}",
            id=person_id,
            role=t(language, f"core.role_{role.value}"),
            total=counts[role].total,
            reachable=counts[role].reachable,
        )
        if await messenger.send(chat_id, text) is not None:
            told += 1
    return told


async def tell_secretariat_of_reach(
    messenger: Messenger,
    people: PeopleRepository,
    roster: RosterRepository,
    before: Person | None,
    after: Person | None,
) -> int:
    """A member blocked the bot or left its chat (or came back): tell the secretariat, with
    the count of their role now reachable; nothing for guests or when nothing changed."""
    if before is None or after is None or after.role is Role.GUEST:
        return 0
    if before.reachable == after.reachable:
        return 0
    key = "back" if after.reachable else "left"
    return await tell_secretariat_of(
        messenger, people, roster, key, after.role, name=after.name, person_id=after.id
    )
