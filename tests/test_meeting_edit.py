"""`/meeting ID edit`, one line or guided: invitations redrawn, Yes and Maybe told of a place."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.console import html_to_text
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import FORM, answers, confirmed_meeting, council, invitation_of, tap


async def test_one_line_edit_tells_yes_and_maybe_of_a_new_place_and_redraws(
    bot: BotHarness,
) -> None:
    ann, bob, cai = await council(bot, 3)
    meeting = await confirmed_meeting(bot)
    await tap(bot, ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, ann["id"]))
    await tap(bot, bob, f"rsvp:{meeting.id}:1:m", invitation_of(bot, bob["id"]))
    await tap(bot, cai, f"rsvp:{meeting.id}:1:n", invitation_of(bot, cai["id"]))
    admin = bot.user(ADMIN_ID)
    before = len(bot.api.calls)
    command = f"/meeting {meeting.id} edit place=Hall 5 | title=Budget council | agenda=Budget"
    [done] = bot.texts_to(ADMIN_ID, await bot.send(admin, command))
    assert "Meeting #1 updated (Title, Place, Agenda); 4 invitations are being redrawn" in done
    assert "Yes or Maybe were told of the new place: 2 sent" in done
    await bot.app.bot_data.meetings.flush()
    calls = bot.api.calls[before:]
    for user in (ann, bob):
        assert any("has a new place: Hall 5" in t for t in bot.texts_to(user["id"], calls))
    assert not any("new place" in t for t in bot.texts_to(cai["id"], calls))
    redrawn = html_to_text(invitation_of(bot, ann["id"])["text"])
    assert "Budget council" in redrawn and "Hall 5" in redrawn and "Budget" in redrawn
    assert "Your answer: Yes" in redrawn
    people = await answers(bot, meeting.id)
    assert [people[n].response for n in ("Member 000", "Member 001", "Member 002")] == [
        "yes",
        "maybe",
        "no",
    ]
    await tap(bot, cai, f"rsvp:{meeting.id}:1:y", invitation_of(bot, cai["id"]))  # still valid
    assert (await answers(bot, meeting.id))["Member 002"].response == "yes"


async def test_guided_edit_asks_the_field_then_its_value(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    admin = bot.user(ADMIN_ID)
    calls = await bot.send(admin, f"/meeting {meeting.id} edit")
    [pick] = [c for c in calls if c.callback_data()]
    assert pick.button_texts() == ["Title", "Place", "Agenda", "Deadline", "Capacity"]
    calls = await bot.tap(admin, f"mtgedit:{meeting.id}:deadline")
    assert "new deadline" in bot.texts_to(ADMIN_ID, calls)[-1]
    calls = await bot.send(admin, "2026-12-15 09:00")
    assert "updated (Deadline)" in bot.texts_to(ADMIN_ID, calls)[-1]
    edited = await bot.app.bot_data.meetings.repo.get(meeting.id)
    assert edited is not None and edited.deadline == datetime(2026, 12, 15, 1, 0, tzinfo=UTC)
    row = await bot.app.bot_data.db.fetchone(
        "SELECT due_at FROM meeting_reminders WHERE meeting_id = ? AND kind = 'deadline'",
        (meeting.id,),
    )
    assert row is not None and row[0].startswith("2026-12-14T01:00")
    calls = await bot.send(admin, "Just a question afterwards")  # the edit took one value only
    assert "updated" not in " ".join(bot.texts_to(ADMIN_ID, calls))
    await bot.tap(admin, f"mtgedit:{meeting.id}:title")
    [cancelled] = bot.texts_to(ADMIN_ID, await bot.send(admin, "/cancel"))
    assert "nothing was created" in cancelled.lower() or "Cancelled" in cancelled


async def test_a_larger_capacity_seats_the_waitlist_and_tells_them(bot: BotHarness) -> None:
    ann, bob = await council(bot, 2)
    meeting = await confirmed_meeting(bot, f"{FORM} | capacity=1")
    await tap(bot, ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, ann["id"]))
    await tap(bot, bob, f"rsvp:{meeting.id}:1:y", invitation_of(bot, bob["id"]))
    calls = await bot.send(bot.user(ADMIN_ID), f"/meeting {meeting.id} edit capacity=2")
    assert any("a seat became free" in t for t in bot.texts_to(bob["id"], calls))
    assert not any("a seat became free" in t for t in bot.texts_to(ann["id"], calls))


async def test_bad_edits_answer_usage_and_change_nothing(bot: BotHarness) -> None:
    [ann] = await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    admin = bot.user(ADMIN_ID)
    for bad, reason in (
        ("colour=red", "did not understand what to change"),
        ("place=A | place=B", "did not understand what to change"),
        ("title=", "title is missing"),
        ("deadline=2026-12-16 10:00", "deadline must be after now"),
        ("deadline=tomorrow", "could not read the date"),
        ("capacity=-2", "capacity is a whole number"),
    ):
        [text] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/meeting {meeting.id} edit {bad}"))
        assert reason in text and "Usage:" in text and "edit place=" in text, bad
    [same] = bot.texts_to(
        ADMIN_ID, await bot.send(admin, f"/meeting {meeting.id} edit place=Kunming Hall, room 2")
    )
    assert "nothing changed" in same
    assert await bot.app.bot_data.meetings.repo.get(meeting.id) == meeting
    [refused] = bot.texts_to(ann["id"], await bot.send(ann, f"/meeting {meeting.id} edit title=X"))
    assert "only for the secretariat" in refused
    calls = await bot.tap(ann, f"mtgedit:{meeting.id}:title")
    assert "only for the secretariat" in bot.alerts(calls)[0]
