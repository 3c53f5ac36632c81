"""Invite codes and links: one-time, expiring, unguessable."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from storage.invites import InviteRepository
from storage.people import Role

__all__ = ["CODE_PATTERN", "INVITE_VALIDITY", "invite_link", "links_for_entries", "new_code"]

INVITE_VALIDITY = timedelta(days=30)
# Telegram allows A-Z, a-z, 0-9, _ and - in a start parameter, up to 64 characters.
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def new_code() -> str:
    """A fresh code: 16 URL-safe characters, 96 random bits."""
    return secrets.token_urlsafe(12)


def invite_link(username: str, code: str) -> str:
    """The deep link that opens the bot with `/start CODE`."""
    return f"https://t.me/{username}?start={code}"


async def links_for_entries(
    invites: InviteRepository,
    entries: Sequence[tuple[int, Role]],
    username: str,
    actor: int | None,
    now: datetime,
    *,
    renew: bool = False,
) -> dict[int, str]:
    """A link per entry id: its valid unused code, or a new one (always new when `renew`)."""
    links: dict[int, str] = {}
    fresh: list[tuple[str, int | None, Role]] = []
    for person_id, role in entries:
        if renew:
            await invites.revoke_invites(person_id)
        existing = None if renew else await invites.open_invite_for(person_id, now)
        code = existing.code if existing else new_code()
        if existing is None:
            fresh.append((code, person_id, role))
        links[person_id] = invite_link(username, code)
    if fresh:
        await invites.add_invites(fresh, actor, now, now + INVITE_VALIDITY)
    return links


async def role_link(
    invites: InviteRepository, role: Role, username: str, actor: int | None, now: datetime
) -> str:
    """A one-time link that gives `role` to whoever opens it first."""
    code = new_code()
    await invites.add_invites([(code, None, role)], actor, now, now + INVITE_VALIDITY)
    return invite_link(username, code)
