"""Invitations, reminders and /meetings carry the start and deadline as date-time entities."""

from __future__ import annotations

from datetime import UTC, datetime

from telegram import Message, MessageEntity

from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import (
    add_person,
    confirmed_meeting,
    council,
    invitation_of,
    service,
    tap,
)

START_UNIX = int(datetime(2026, 12, 15, 6, 30, tzinfo=UTC).timestamp())
DEADLINE_UNIX = START_UNIX - 24 * 3600
START_EN = f'<tg-time unix="{START_UNIX}" format="wDt">Tue, 15 Dec 2026 14:30</tg-time>'
DEADLINE_EN = f'<tg-time unix="{DEADLINE_UNIX}" format="wDt">Mon, 14 Dec 2026 14:30</tg-time>'


async def test_invitation_carries_start_and_deadline_as_date_time_entities(
    bot: BotHarness,
) -> None:
    await add_person(bot, "李伟", "council", 100, "zh")
    await add_person(bot, "Ann Lee", "council", 101, "en")
    await confirmed_meeting(bot)
    en = invitation_of(bot, 101)["text"]
    assert START_EN in en and DEADLINE_EN in en
    zh = invitation_of(bot, 100)["text"]
    assert f'<tg-time unix="{START_UNIX}" format="wDt">2026年12月15日周二 14:30</tg-time>' in zh


async def test_reminders_and_my_meetings_carry_date_time_entities(bot: BotHarness) -> None:
    [ann] = await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    calls = await bot.send(bot.user(ADMIN_ID), f"/remind {meeting.id}")
    [reminder] = bot.texts_to(ann["id"], calls)
    assert START_EN in reminder and DEADLINE_EN in reminder
    [listing] = bot.texts_to(ann["id"], await bot.send(ann, "/meetings"))
    assert START_EN in listing and DEADLINE_EN in listing
    await tap(bot, ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, ann["id"]))
    bot.clock.set(datetime(2026, 12, 15, 4, 31, tzinfo=UTC))
    [start] = [
        r
        for r in await service(bot).reminders.repo.pending_reminders(meeting.id)
        if r.kind == "start"
    ]
    before = len(bot.api.calls)
    await service(bot).reminders.run(start.id)
    assert START_EN in bot.texts_to(ann["id"], bot.api.calls[before:])[0]


async def test_the_installed_library_knows_date_time_entities() -> None:
    entity = MessageEntity(
        MessageEntity.DATE_TIME,
        0,
        5,
        unix_time=datetime.fromtimestamp(START_UNIX, UTC),
        date_time_format="wDt",
    )
    text = "14:30"
    message = Message(
        1,
        datetime.now(UTC),
        chat=None,
        text=text,
        entities=[entity],  # type: ignore[arg-type]
    )
    assert message.text_html == f'<tg-time unix="{START_UNIX}" format="wDt">14:30</tg-time>'
