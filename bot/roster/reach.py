"""Telling the features that a person can now be reached or belongs to more audiences."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

__all__ = ["PersonHook", "announce_joined"]

logger = logging.getLogger(__name__)

# Told a person's id when they can now be written to or belong to more audiences: they bound
# their account, were approved or given a role, or started the bot again.
PersonHook = Callable[[int], Awaitable[None]]


async def announce_joined(hooks: list[PersonHook], person_id: int) -> None:
    """Tell the features that a person can now be reached or has a new role (e.g. to invite them).

    A feature that fails is logged; the others still run and the person's own answer stands.
    """
    for hook in hooks:
        try:
            await hook(person_id)
        except Exception:
            logger.exception("could not bring person %s up to date", person_id)
