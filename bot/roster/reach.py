"""Why Telegram refused a message: the person blocked the bot, or never started it."""

from __future__ import annotations

from datetime import datetime

from telegram.error import BadRequest, Forbidden, TelegramError

from storage.people import PeopleRepository

__all__ = ["note_refusal", "refusal_reason"]


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
