"""Why Telegram refused a message: the person blocked the bot, or never started it."""

from __future__ import annotations

from telegram.error import BadRequest, Forbidden, TelegramError

from bot.app import BotData

__all__ = ["note_refusal", "refusal_reason"]


def refusal_reason(error: TelegramError) -> str | None:
    """`blocked` or `never_started` when the error says the chat cannot be reached, else None."""
    text = str(error.message).lower()
    if isinstance(error, Forbidden):
        return "blocked" if "blocked" in text else "never_started"
    if isinstance(error, BadRequest) and ("chat not found" in text or "user not found" in text):
        return "never_started"
    return None


async def note_refusal(data: BotData, telegram_id: int, error: TelegramError) -> bool:
    """Mark the account unreachable (with the reason) when `error` says so; True if marked."""
    reason = refusal_reason(error)
    if reason is None:
        return False
    await data.people.set_reachable_by_telegram_id(
        telegram_id, False, data.clock.now(), never_started=reason == "never_started"
    )
    return True
