"""Helpers for the roster tests: uploads, invite codes, people as the bot stores them."""

from __future__ import annotations

import re
from typing import Any

from bot.transport import ApiCall
from storage.people import Person, Role
from tests.harness import BotHarness

LINK = re.compile(r"https://t\.me/youxie_bot\?start=([A-Za-z0-9_-]{16})")


async def send_document(
    bot: BotHarness, user: dict[str, Any], file_id: str, file_name: str
) -> list[ApiCall]:
    """Send a file as `user`; return the calls the bot made in answer."""
    before = len(bot.api.calls)
    await bot.feed(bot.factory.document(user, file_id, file_name))
    return bot.api.calls[before:]


async def add_entry(
    bot: BotHarness,
    name: str,
    role: Role = Role.MEMBER,
    language: str | None = "en",
    telegram_id: int | None = None,
    unit: str = "Unit",
) -> Person:
    """Put a roster entry straight into the database."""
    data = bot.app.bot_data
    person_id = await bot.roster.add_entry(
        name,
        unit,
        role,
        language,
        None,
        data.clock.now(),  # type: ignore[arg-type]
    )
    if telegram_id is not None:
        await bot.people.bind_telegram_id(person_id, telegram_id, data.clock.now())
    person = await bot.people.get(person_id)
    assert person is not None
    return person


async def person_of(bot: BotHarness, telegram_id: int) -> Person:
    """The person bound to a Telegram account."""
    person = await bot.people.get_by_telegram_id(telegram_id)
    assert person is not None
    return person


def only_message(calls: list[ApiCall], chat_id: int) -> ApiCall:
    """The one message sent to a chat among `calls`."""
    [call] = [c for c in calls if c.method == "sendMessage" and c.chat_id == chat_id]
    return call
