"""Invitations and tap alerts follow the one language rule: chosen, else the app's, else Chinese."""

from __future__ import annotations

from typing import Any

from tests.harness import BotHarness
from tests.meetings_support import add_person, confirmed_meeting, tap


def invitation_of(bot: BotHarness, telegram_id: int) -> dict[str, Any]:
    """The invitation: the last message with RSVP buttons sent to a chat."""
    return [
        m
        for (chat, _), m in sorted(bot.api.messages.items())
        if chat == telegram_id and m.get("reply_markup")
    ][-1]


async def test_invitations_and_alerts_follow_chosen_then_app_language_then_chinese(
    bot: BotHarness,
) -> None:
    await add_person(bot, "App English", "council", 100, None)
    await add_person(bot, "App German", "council", 101, None)
    await add_person(bot, "Never Heard", "council", 102, None)
    await add_person(bot, "Chose English", "council", 103, "en")
    english_app = bot.user(100, "App English", "en")
    german_app = bot.user(101, "App German", "de")
    await bot.send(english_app, "/help")
    await bot.send(german_app, "/help")
    meeting = await confirmed_meeting(bot)

    for telegram_id in (100, 101, 103):
        assert f"Invitation to meeting #{meeting.id}" in invitation_of(bot, telegram_id)["text"]
    assert "会议 #1 邀请" in invitation_of(bot, 102)["text"]

    calls = await tap(bot, english_app, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
    assert bot.alerts(calls) == ["Recorded: Yes"]
    assert "Your answer: <b>Yes</b>" in invitation_of(bot, 100)["text"]
    calls = await tap(bot, german_app, f"rsvp:{meeting.id}:1:m", invitation_of(bot, 101))
    assert bot.alerts(calls) == ["Recorded: Maybe"]
    chooser = bot.user(103, "Chose English", "zh")
    calls = await tap(bot, chooser, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 103))
    assert bot.alerts(calls) == ["Recorded: Yes"]  # a chosen language beats the app's
