"""The one way to send or edit a single message (bulk delivery has its own paced workers).

`Messenger` waits out a 429 (`RetryAfter`) once, treats "message is not modified" as done,
and when Telegram refuses a chat (the person blocked the bot, or never started it) records
the account as unreachable, in one place, and answers `None` instead of raising.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Literal, TypeVar

from telegram import Bot, InputFile, Message
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.clock import Clock
from storage.people import PeopleRepository, Person

__all__ = [
    "ATTEMPTS",
    "Messenger",
    "Refusal",
    "Sleep",
    "edited",
    "is_not_modified",
    "refusal_of",
    "retrying",
]

logger = logging.getLogger(__name__)

ATTEMPTS = 2  # the first try and one more after Telegram's retry_after
T = TypeVar("T")
Refusal = Literal["blocked", "never_started"]


def refusal_of(error: TelegramError) -> Refusal | None:
    """`blocked` or `never_started` when the error says the chat cannot be reached, else None."""
    text = str(error.message).lower()
    if isinstance(error, Forbidden):
        return "blocked" if "blocked" in text else "never_started"
    if isinstance(error, BadRequest) and ("chat not found" in text or "user not found" in text):
        return "never_started"
    return None


def is_not_modified(error: TelegramError) -> bool:
    """True for Telegram's answer to an edit that would leave the message as it is."""
    return isinstance(error, BadRequest) and "not modified" in str(error.message).lower()


def _seconds(error: RetryAfter) -> float:
    delay = getattr(error, "_retry_after", None)
    if isinstance(delay, timedelta):
        return delay.total_seconds()
    return 1.0 if delay is None else float(delay)


Sleep = Callable[[float], Awaitable[object]]


async def retrying(request: Callable[[], Awaitable[T]], sleep: Sleep = asyncio.sleep) -> T:
    """Run one Bot API request, waiting out a 429 once (a second 429 is raised)."""
    for attempt in range(ATTEMPTS):
        try:
            return await request()
        except RetryAfter as error:
            if attempt == ATTEMPTS - 1:
                raise
            await sleep(_seconds(error))
    raise AssertionError("unreachable")  # pragma: no cover


async def edited(request: Callable[[], Awaitable[object]], sleep: Sleep = asyncio.sleep) -> bool:
    """Run one edit through `retrying`; True when done, "message is not modified" included."""
    try:
        await retrying(request, sleep)
    except TelegramError as error:
        if is_not_modified(error):
            return True
        raise
    return True


class Messenger:
    """Sends and edits through one Bot; records refusals on the person."""

    def __init__(
        self, bot: Bot, people: PeopleRepository, clock: Clock, sleep: Sleep = asyncio.sleep
    ) -> None:
        self.bot = bot
        self.people = people
        self.clock = clock
        self.sleep = sleep  # how a 429's wait is waited (tests pass one that records it)

    async def send(
        self, chat_id: int, text: str, reply_markup: Any = None, **options: Any
    ) -> Message | None:
        """Send a text; None (and the account recorded unreachable) when Telegram refuses it."""
        try:
            return await retrying(
                lambda: self.bot.send_message(chat_id, text, reply_markup=reply_markup, **options),
                self.sleep,
            )
        except TelegramError as error:
            if await self.note_refusal(chat_id, error):
                return None
            raise

    async def send_document(
        self, chat_id: int, document: InputFile | bytes, **options: Any
    ) -> Message | None:
        """Send a file; None (and the account recorded unreachable) when Telegram refuses it."""
        try:
            return await retrying(
                lambda: self.bot.send_document(chat_id, document, **options), self.sleep
            )
        except TelegramError as error:
            if await self.note_refusal(chat_id, error):
                return None
            raise

    async def edit_text(
        self, chat_id: int, message_id: int, text: str, reply_markup: Any = None, **options: Any
    ) -> bool:
        """Edit a message's text; True when it shows `text` now (unchanged counts)."""
        return await edited(
            lambda: self.bot.edit_message_text(
                text, chat_id=chat_id, message_id=message_id, reply_markup=reply_markup, **options
            ),
            self.sleep,
        )

    async def edit_reply_markup(self, chat_id: int, message_id: int, reply_markup: Any) -> bool:
        """Replace (or with None remove) a message's buttons; unchanged counts as done."""
        return await edited(
            lambda: self.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=reply_markup
            ),
            self.sleep,
        )

    async def note_refusal(self, telegram_id: int, error: TelegramError) -> bool:
        """Record the account unreachable (with the reason) when `error` says so; True if so."""
        refusal = refusal_of(error)
        if refusal is None:
            return False
        await self.people.set_reachable_by_telegram_id(
            telegram_id, False, self.clock.now(), never_started=refusal == "never_started"
        )
        return True

    async def chat_member_changed(self, telegram_id: int, reachable: bool) -> Person | None:
        """A person blocked the bot, left, or started it (again): record it; the person."""
        return await self.people.record_chat_member(telegram_id, reachable, self.clock.now())
