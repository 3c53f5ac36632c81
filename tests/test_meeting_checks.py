"""State checks of meetings: moving, editing a field, proxies and by-hand answers, each
refused without any change once the meeting is past the state it needs."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import FORM, answers, confirmed_meeting, council, invitation_of, tap

STARTS = datetime(2026, 12, 15, 6, 30, tzinfo=UTC)


async def _cancel(bot: BotHarness, meeting_id: int) -> None:
    admin = bot.user(ADMIN_ID)
    calls = await bot.send(admin, f"/cancelmeeting {meeting_id}")
    [ask] = [c for c in calls if c.callback_data()]
    await tap(bot, admin, ask.callback_data()[0])


async def _starts_at(bot: BotHarness, meeting_id: int) -> tuple[str, str]:
    row = await bot.app.bot_data.db.fetchone(
        "SELECT starts_at, place FROM meetings WHERE id = ?", (meeting_id,)
    )
    assert row is not None
    return row[0], row[1]


async def test_a_cancelled_meeting_is_not_moved(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    await _cancel(bot, meeting.id)
    stored = await _starts_at(bot, meeting.id)
    told = len(bot.api.sent(100))
    admin = bot.user(ADMIN_ID)
    calls = await bot.send(admin, f"/meeting {meeting.id} move 2026-12-16 09:00 | Hall 5")
    assert "no longer open" in bot.texts_to(ADMIN_ID, calls)[-1]
    assert bot.texts_to(100, calls) == [] and len(bot.api.sent(100)) == told
    assert await _starts_at(bot, meeting.id) == stored


async def test_a_move_into_the_past_answers_usage_and_changes_nothing(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    stored = await _starts_at(bot, meeting.id)
    calls = await bot.send(bot.user(ADMIN_ID), f"/meeting {meeting.id} move 2020-01-01 09:00")
    assert "Usage:" in bot.texts_to(ADMIN_ID, calls)[-1]
    assert bot.texts_to(100, calls) == []
    assert await _starts_at(bot, meeting.id) == stored


async def test_a_move_to_the_same_time_and_place_answers_usage(bot: BotHarness) -> None:
    [ann] = await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    await tap(bot, ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
    same = f"/meeting {meeting.id} move 2026-12-15 14:30 | {meeting.place}"
    calls = await bot.send(bot.user(ADMIN_ID), same)
    assert "Usage:" in bot.texts_to(ADMIN_ID, calls)[-1]
    assert bot.texts_to(100, calls) == []
    assert (await answers(bot, meeting.id))["Member 000"].response == "yes"


async def test_a_field_of_a_cancelled_meeting_is_not_offered_for_editing(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    admin = bot.user(ADMIN_ID)
    await _cancel(bot, meeting.id)
    calls = await bot.tap(admin, f"mtgedit:{meeting.id}:place")
    assert bot.alerts(calls) == ["This button is not valid for you."]
    assert bot.texts_to(ADMIN_ID, calls) == []  # no question for the new value
    calls = await bot.send(admin, "Other hall")
    assert not any("edited" in text.lower() for text in bot.texts_to(ADMIN_ID, calls))
    assert (await _starts_at(bot, meeting.id))[1] == meeting.place


async def test_proxies_cannot_change_once_the_meeting_has_started(bot: BotHarness) -> None:
    ann, bob = await council(bot, 2)
    meeting = await confirmed_meeting(bot, f"{FORM} | proxies=1")
    await tap(bot, bob, f"rsvp:{meeting.id}:1:y", invitation_of(bot, bob["id"]))
    await tap(bot, ann, f"rsvp:{meeting.id}:1:n", invitation_of(bot, ann["id"]))
    bot.clock.set(STARTS)
    calls = await bot.tap(ann, f"proxylist:{meeting.id}")
    assert bot.alerts(calls) == [f"Proxies for meeting #{meeting.id} can no longer be changed."]
    assert [c for c in calls if c.method == "editMessageText"] == []
    rows = await bot.app.bot_data.db.fetchall("SELECT * FROM meeting_proxies")
    assert rows == []


async def test_proxies_of_a_cancelled_meeting_cannot_change(bot: BotHarness) -> None:
    ann, bob = await council(bot, 2)
    meeting = await confirmed_meeting(bot, f"{FORM} | proxies=1")
    ids = {i.name: i.person_id for i in (await answers(bot, meeting.id)).values()}
    await tap(bot, bob, f"rsvp:{meeting.id}:1:y", invitation_of(bot, bob["id"]))
    await tap(bot, ann, f"rsvp:{meeting.id}:1:n", invitation_of(bot, ann["id"]))
    await _cancel(bot, meeting.id)
    calls = await bot.tap(ann, f"proxy:{meeting.id}:{ids['Member 001']}")
    assert bot.alerts(calls) == [f"Proxies for meeting #{meeting.id} can no longer be changed."]
    assert bot.texts_to(bob["id"], calls) == []
    assert await bot.app.bot_data.db.fetchall("SELECT * FROM meeting_proxies") == []


async def test_the_guided_form_refuses_a_time_gone_by_and_asks_again(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/newmeeting")
    await bot.send(admin, "Spring council")
    [again] = bot.texts_to(ADMIN_ID, await bot.send(admin, "2020-01-01 09:00"))
    assert "already passed" in again and "When" in again
    assert "Where" in bot.texts_to(ADMIN_ID, await bot.send(admin, "2026-12-20 09:00"))[0]


async def test_the_guided_form_refuses_a_title_or_place_with_a_bar_or_too_long(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    await bot.send(admin, "/newmeeting")
    [title] = bot.texts_to(ADMIN_ID, await bot.send(admin, "Spring | council"))
    assert "title is missing or too long" in title
    [long] = bot.texts_to(ADMIN_ID, await bot.send(admin, "x" * 201))
    assert "title is missing or too long" in long
    await bot.send(admin, "Spring council")
    await bot.send(admin, "2026-12-20 09:00")
    [place] = bot.texts_to(ADMIN_ID, await bot.send(admin, "Hall | 2"))
    assert "place is missing or too long" in place
    [long_place] = bot.texts_to(ADMIN_ID, await bot.send(admin, "Hall " + "y" * 200))
    assert "place is missing or too long" in long_place  # asked again, not refused at the end
    assert "agenda" in bot.texts_to(ADMIN_ID, await bot.send(admin, "Hall 2"))[0]
    assert await bot.app.bot_data.db.fetchall("SELECT id FROM meetings") == []
