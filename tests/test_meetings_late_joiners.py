"""People who join after a meeting was called get its invitation, once."""

from __future__ import annotations

from datetime import timedelta

from bot.transport import ApiCall, ApiError
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import add_person, answers, confirmed_meeting, council, service
from tests.roster_helpers import LINK, only_message


def invitations(bot: BotHarness, chat_id: int) -> list[str]:
    """The meeting invitations (not reminders) delivered to a chat."""
    return [
        str(message.get("text", ""))
        for (chat, _), message in sorted(bot.api.messages.items())
        if chat == chat_id and "<b>Invitation to meeting" in str(message.get("text", ""))
    ]


async def test_council_member_who_binds_after_the_meeting_is_called_is_invited_once(
    bot: BotHarness,
) -> None:
    await council(bot, 2)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/invite Late Li | Yunnan University | council | en")
    [code] = LINK.findall(only_message(calls, ADMIN_ID).text)
    meeting = await confirmed_meeting(bot)
    assert (await answers(bot, meeting.id))["Late Li"].delivery == "unreachable"

    late = bot.user(300, "Li")
    calls = await bot.send(late, f"/start {code}")
    texts = bot.texts_to(300, calls)
    assert texts[0].startswith("Welcome, Late Li!")
    assert "Invitation to meeting #1" in texts[1]
    assert (await answers(bot, meeting.id))["Late Li"].delivery == "sent"

    overview = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/meeting {meeting.id}"))[0]
    assert "Late Li" in overview and "unreachable" not in overview.lower()
    reminded = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/remind {meeting.id}"))[-1]
    assert "(0 unreachable, 0 failed)" in reminded and "4 people" in reminded, reminded

    # Opening the link again, or Telegram reporting the chat started, sends nothing new.
    await bot.send(late, f"/start {code}")
    await bot.feed(bot.factory.my_chat_member(late, "member"))
    assert len(invitations(bot, 300)) == 1


async def test_applicant_approved_as_council_gets_the_open_meetings_invitation(
    bot: BotHarness,
) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    guest = bot.user(301, "Ivan")
    await bot.send(guest, "/join")
    await bot.send(guest, "Ivan Petrov")
    await bot.send(guest, "Friendship Society")
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.tap(admin, "ap:1:c", bot.api.last_message_to(ADMIN_ID))

    [invitation] = invitations(bot, 301)
    assert "Council meeting" in invitation
    assert "Ivan Petrov" in await answers(bot, meeting.id)


async def test_member_approved_is_not_invited_to_a_council_meeting_but_to_a_members_one(
    bot: BotHarness,
) -> None:
    await council(bot, 1)
    await confirmed_meeting(bot)
    await confirmed_meeting(bot, "General assembly | 2026-12-20 10:00 | Hall | audience=members")
    guest = bot.user(302, "Anna")
    await bot.send(guest, "/join")
    await bot.send(guest, "Anna")
    await bot.send(guest, "-")
    await bot.tap(bot.user(ADMIN_ID, "Sec"), "ap:1:m", bot.api.last_message_to(ADMIN_ID))
    [invitation] = invitations(bot, 302)
    assert "General assembly" in invitation


async def test_promoted_to_council_or_back_after_blocking_gets_the_invitation(
    bot: BotHarness,
) -> None:
    member_id = await add_person(bot, "Plain Member", "member", 303)
    await add_person(bot, "Blocked Bo", "council", 304)
    blocked = bot.user(304, "Bo")
    await bot.feed(bot.factory.my_chat_member(blocked, "kicked"))

    def refuse(call: ApiCall) -> None:
        if call.chat_id == 304:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    bot.api.responders["sendMessage"] = refuse
    meeting = await confirmed_meeting(bot)
    del bot.api.responders["sendMessage"]
    assert invitations(bot, 303) == []
    assert (await answers(bot, meeting.id))["Blocked Bo"].delivery == "unreachable"

    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, f"/members {member_id}")
    await bot.tap(admin, f"mb:r:{member_id}:council")
    assert len(invitations(bot, 303)) == 1

    await bot.feed(bot.factory.my_chat_member(blocked, "member"))
    assert len(invitations(bot, 304)) == 1
    people = await answers(bot, meeting.id)
    assert people["Plain Member"].delivery == "sent"
    assert people["Blocked Bo"].delivery == "sent"


async def test_no_late_invitation_once_answers_are_closed(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, "/invite Late Li | Unit | council | en")
    [code] = LINK.findall(only_message(calls, ADMIN_ID).text)
    meeting = await confirmed_meeting(bot)
    bot.clock.set(meeting.deadline + timedelta(minutes=1))
    service(bot)
    await bot.send(bot.user(305, "Li"), f"/start {code}")
    assert invitations(bot, 305) == []
