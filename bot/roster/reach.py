"""Why Telegram refused a message: the person blocked the bot, or never started it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram.error import BadRequest, Forbidden, TelegramError

from storage.people import PeopleRepository

__all__ = ["PersonHook", "announce_joined", "note_refusal", "refusal_reason"]

logger = logging.getLogger(__name__)

# Told a person's id when they can now be written to or belong to more audiences: they bound
# their account, were approved or given a role, or started the bot again.
PersonHook = Callable[[int], Awaitable[None]]


def refusal_reason(error: TelegramError) -> str | None:
    """`blocked` or `never_started` when the error says the chat cannot be reached, else None."""
    text = str(error.message).lower()
    if isinstance(error, Forbidden):
        return "blocked" if "blocked" in text else "never_started"
    if isinstance(error, BadRequest) and ("chat not found" in text or "user not found" in text):
        return "never_started"
    return None


async def note_refusal(
    people: PeopleRepository, telegram_id: int, error: TelegramError, now: datetime
) -> bool:
    """Mark the account unreachable (with the reason) when `error` says so; True if marked."""
    reason = refusal_reason(error)
    if reason is None:
        return False
    await people.set_reachable_by_telegram_id(
        telegram_id, False, now, never_started=reason == "never_started"
    )
    return True


async def announce_joined(hooks: list[PersonHook], person_id: int) -> None:
    """Tell the features that a person can now be reached or has a new role (e.g. to invite them).

    A feature that fails is logged; the others still run and the person's own answer stands.
    """
    for hook in hooks:
        try:
            await hook(person_id)
        except Exception:
            logger.exception("could not bring person %s up to date", person_id)
