"""Helpers for the meeting tests: roster entries and a confirmed meeting."""

from __future__ import annotations

import re
from typing import Any

from bot.meetings.service import MeetingService
from bot.notices.pacing import SmoothLimiter
from bot.transport import ApiCall
from storage.meetings import Invitee, Meeting
from storage.timestamps import to_db
from tests.harness import ADMIN_ID, BotHarness

UNPACED = 100_000  # messages per second: rounds go out without waiting
FORM = "Council meeting | 2026-12-15 14:30 | Kunming Hall, room 2"


def service(bot: BotHarness) -> MeetingService:
    """The meeting service, sending without pacing."""
    svc = bot.app.bot_data.meetings
    assert svc is not None
    svc.send_interval = 0
    if svc.limiter.rate < UNPACED:
        svc.limiter = SmoothLimiter(UNPACED)
    return svc


async def add_person(
    bot: BotHarness,
    name: str,
    role: str = "council",
    telegram_id: int | None = None,
    language: str | None = "en",
    unit: str = "",
) -> int:
    """Add a roster entry directly (the roster feature owns the real import)."""
    now = to_db(bot.clock.now())
    async with bot.app.bot_data.db.transaction() as tx:
        cursor = await tx.execute(
            "INSERT INTO persons (name, unit, role, telegram_id, language, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (name, unit or f"{name} Unit", role, telegram_id, language, now, now),
        )
    return int(cursor.lastrowid or 0)


async def council(bot: BotHarness, count: int = 3, first_id: int = 100) -> list[dict[str, Any]]:
    """`count` bound council members (English) and the Telegram users behind them."""
    users = []
    for index in range(count):
        telegram_id = first_id + index
        await add_person(bot, f"Member {index:03d}", "council", telegram_id)
        users.append(bot.user(telegram_id, f"Member {index:03d}"))
    return users


async def confirmed_meeting(bot: BotHarness, form: str = FORM) -> Meeting:
    """Create a meeting with the one-line form and confirm it as the admin."""
    service(bot)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, f"/newmeeting {form}")
    preview = next(call for call in calls if call.callback_data())
    await bot.tap(admin, preview.callback_data()[0], bot.api.last_message_to(ADMIN_ID))
    meetings = await service(bot).repo.list_open(bot.clock.now())
    return meetings[-1]


async def answers(bot: BotHarness, meeting_id: int) -> dict[str, Invitee]:
    """The invitees of a meeting by name."""
    return {i.name: i for i in await service(bot).repo.invitees(meeting_id)}


async def tap(
    bot: BotHarness, user: dict[str, Any], data: str, message: dict[str, Any] | None = None
) -> list[ApiCall]:
    """Tap a button, then let the queued invitation redraws run; the calls made."""
    before = len(bot.api.calls)
    await bot.tap(user, data, message)
    await service(bot).flush()
    return bot.api.calls[before:]


def invitation_of(bot: BotHarness, telegram_id: int) -> dict[str, Any]:
    """The first message sent to a chat (the invitation)."""
    return bot.api.messages[(telegram_id, 1)]


_CHECKIN_LINK = re.compile(r"https://t\.me/youxie_bot\?start=(in\d+_[A-Za-z0-9]+)")


async def checkin_payload(bot: BotHarness, meeting_id: int) -> str:
    """Ask for the check-in code as the secretariat; the `/start` payload of its link."""
    calls = await bot.send(bot.user(ADMIN_ID, "Sec"), f"/checkin {meeting_id}")
    [photo] = [c for c in calls if c.method == "sendPhoto"]
    match = _CHECKIN_LINK.search(photo.text)
    assert match is not None, photo.text
    return match.group(1)
