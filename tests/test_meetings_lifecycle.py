"""Reminders, moving and cancelling meetings, export, and answers under concurrency."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

from telegram import Update

from bot.cli import main
from bot.config import Settings
from bot.console import html_to_text
from storage.meeting_answers import AnswerRepository
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import (
    FORM,
    add_person,
    answers,
    confirmed_meeting,
    council,
    invitation_of,
    service,
    tap,
)


async def reminder_rows(bot: BotHarness, meeting_id: int) -> dict[str, tuple[str, str]]:
    rows = await bot.app.bot_data.db.fetchall(
        "SELECT kind, due_at, status FROM meeting_reminders WHERE meeting_id = ?", (meeting_id,)
    )
    return {row["kind"]: (row["due_at"], row["status"]) for row in rows}


async def test_reminders_are_scheduled_in_sqlite_and_as_named_jobs(bot: BotHarness) -> None:
    await council(bot, 2)
    meeting = await confirmed_meeting(bot)
    rows = await reminder_rows(bot, meeting.id)
    # start 2026-12-15 06:30 UTC; deadline 24 h before; non-responders 24 h before that
    assert rows["deadline"] == ("2026-12-13T06:30:00.000000+00:00", "pending")
    assert rows["start"] == ("2026-12-15T04:30:00.000000+00:00", "pending")
    queue = bot.app.job_queue
    assert queue is not None
    [job] = queue.get_jobs_by_name(f"meeting-reminder-{meeting.id}-deadline")
    assert job.job.misfire_grace_time == 3600


async def test_a_reminder_missed_while_down_is_sent_once_at_start_up(bot: BotHarness) -> None:
    [ann, bob] = await council(bot, 2)
    meeting = await confirmed_meeting(bot)
    await tap(bot, ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
    queue = bot.app.job_queue
    assert queue is not None
    for job in queue.jobs():
        job.schedule_removal()  # the bot goes down: in-memory jobs are gone
    bot.clock.set(datetime(2026, 12, 13, 20, 0, tzinfo=UTC))  # past due, before the deadline

    for hook in bot.app.bot_data.startup_hooks:
        await hook(bot.app)
    [job] = queue.get_jobs_by_name(f"meeting-reminder-{meeting.id}-deadline")
    before = len(bot.api.calls)
    await job.run(bot.app)
    calls = bot.api.calls[before:]
    assert "please answer the invitation to meeting #1" in bot.texts_to(101, calls)[0]
    assert bot.texts_to(100, calls) == []  # Ann answered
    assert bot.texts_to(ADMIN_ID, calls) != []  # the admin is invited and has not answered

    for hook in bot.app.bot_data.startup_hooks:  # another restart: nothing is sent twice
        await hook(bot.app)
    assert [r.kind for r in await service(bot).reminders.repo.pending_reminders(meeting.id)] == [
        "start"
    ]
    before = len(bot.api.calls)
    await job.run(bot.app)
    assert bot.api.calls[before:] == []
    del bob


async def test_a_reminder_after_its_event_is_skipped(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    bot.clock.set(datetime(2026, 12, 14, 7, 0, tzinfo=UTC))  # after the deadline
    [reminder] = [
        r
        for r in await service(bot).reminders.repo.pending_reminders(meeting.id)
        if r.kind == "deadline"
    ]
    assert await service(bot).reminders.run(reminder.id) is None
    assert (await reminder_rows(bot, meeting.id))["deadline"][1] == "skipped"


async def test_yes_are_reminded_before_the_start(bot: BotHarness) -> None:
    [ann, _] = await council(bot, 2)
    meeting = await confirmed_meeting(bot)
    await tap(bot, ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
    bot.clock.set(datetime(2026, 12, 15, 4, 31, tzinfo=UTC))
    [reminder] = [
        r
        for r in await service(bot).reminders.repo.pending_reminders(meeting.id)
        if r.kind == "start"
    ]
    before = len(bot.api.calls)
    delivery = await service(bot).reminders.run(reminder.id)
    assert delivery is not None and delivery.sent == 1
    [text] = bot.texts_to(100, bot.api.calls[before:])
    assert "starts at Tue, 15 Dec 2026 14:30" in html_to_text(text)


async def test_remind_command_nudges_non_responders_now(bot: BotHarness) -> None:
    [ann, _] = await council(bot, 2)
    meeting = await confirmed_meeting(bot)
    await tap(bot, ann, f"rsvp:{meeting.id}:1:n", invitation_of(bot, 100))
    calls = await bot.send(bot.user(ADMIN_ID), f"/remind {meeting.id}")
    assert bot.texts_to(100, calls) == []
    assert len(bot.texts_to(101, calls)) == 1
    assert "reminder sent to 2 people" in bot.texts_to(ADMIN_ID, calls)[-1]


async def test_bare_secretariat_commands_offer_the_meetings(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    admin = bot.user(ADMIN_ID)
    calls = await bot.send(admin, "/export")
    [pick] = [c for c in calls if c.callback_data()]
    assert pick.callback_data() == [f"mtgpick:e:{meeting.id}"]
    calls = await tap(bot, admin, pick.callback_data()[0])
    assert [c.method for c in calls if c.method == "sendDocument"] == ["sendDocument"] * 2
    calls = await tap(bot, bot.user(100), f"mtgpick:e:{meeting.id}")
    assert "only for the secretariat" in bot.alerts(calls)[0]
    calls = await bot.send(admin, "/meeting abc")
    assert "Usage:" in bot.texts_to(ADMIN_ID, calls)[0]


async def test_cancel_tells_everyone_once(bot: BotHarness) -> None:
    [ann, _] = await council(bot, 2)
    await add_person(bot, "Unbound", "council", None)
    meeting = await confirmed_meeting(bot)
    admin = bot.user(ADMIN_ID)
    calls = await bot.send(admin, f"/cancelmeeting {meeting.id}")
    [ask] = [c for c in calls if c.callback_data()]
    assert ask.callback_data() == [f"mtgcancel:{meeting.id}"]
    calls = await tap(bot, admin, ask.callback_data()[0])
    assert "has been cancelled" in bot.texts_to(100, calls)[0]
    assert "has been cancelled" in bot.texts_to(101, calls)[0]
    assert "3 people were told (1 unreachable" in bot.texts_to(ADMIN_ID, calls)[-1]
    calls = await tap(bot, admin, ask.callback_data()[0], bot.api.messages[(ADMIN_ID, 4)])
    assert bot.texts_to(100, calls) == []
    calls = await tap(bot, ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
    assert "no longer open" in bot.alerts(calls)[0]
    assert (await reminder_rows(bot, meeting.id))["deadline"][1] == "skipped"


async def test_moving_resets_answers_keeps_previous_and_asks_again(bot: BotHarness) -> None:
    [ann, bob] = await council(bot, 2)
    meeting = await confirmed_meeting(bot)
    await tap(bot, ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
    admin = bot.user(ADMIN_ID)
    calls = await bot.send(admin, f"/meeting {meeting.id} move 2026-12-16 09:00 | Hall 5")
    [notice] = bot.texts_to(100, calls)
    assert "has been moved" in notice and "Wed, 16 Dec 2026 09:00" in notice and "Hall 5" in notice
    assert len(bot.texts_to(101, calls)) == 1
    assert "answers were reset" in bot.texts_to(ADMIN_ID, calls)[-1]
    people = await answers(bot, meeting.id)
    assert people["Member 000"].response == "none"
    assert people["Member 000"].previous_response == "yes"
    [view] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/meeting {meeting.id}"))
    assert "Member 000, Member 000 Unit [id 2] — before the move: Yes" in view

    calls = await tap(bot, ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
    assert "newer invitation" in bot.alerts(calls)[0]
    calls = await tap(bot, bob, f"rsvp:{meeting.id}:2:m")
    assert bot.alerts(calls) == ["Recorded: Maybe"]
    rows = await reminder_rows(bot, meeting.id)
    assert rows["start"] == ("2026-12-15T23:00:00.000000+00:00", "pending")


async def test_export_csv_has_the_contract_columns_and_a_bom(
    bot: BotHarness,
) -> None:
    [ann, bob] = await council(bot, 2)
    await add_person(bot, "王小明", "council", None, "zh", unit="昆明会堂")
    meeting = await confirmed_meeting(bot)
    await tap(bot, ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
    await tap(bot, bob, f"rsvp:{meeting.id}:1:n", invitation_of(bot, 101))
    calls = await bot.send(bot.user(ADMIN_ID), f"/export {meeting.id}")
    [doc, _attendance] = [c for c in calls if c.method == "sendDocument"]
    [(name, content)] = doc.files.values()
    assert name == "meeting-1-rsvps.csv"
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "meeting_id",
        "name",
        "unit",
        "role",
        "telegram_id",
        "response",
        "responded_at",
        "note",
    ]
    by_name = {row["name"]: row for row in rows}
    assert by_name["Member 000"]["response"] == "yes"
    assert by_name["Member 000"]["responded_at"].startswith("2026-11-28T02:00")
    assert by_name["Member 001"]["response"] == "no"
    assert by_name["王小明"]["response"] == "none" and by_name["王小明"]["telegram_id"] == ""
    assert by_name["王小明"]["unit"] == "昆明会堂"


async def test_export_rsvps_subcommand_writes_the_same_csv(
    bot: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    [ann] = await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    await tap(bot, ann, f"rsvp:{meeting.id}:1:m", invitation_of(bot, 100))
    target = tmp_path / "out.csv"
    env = {"ASSOC_DB_PATH": str(settings.db_path), "TELEGRAM_BOT_TOKEN": ""}
    import os

    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        code = await asyncio.to_thread(main, ["export-rsvps", str(meeting.id), "-o", str(target)])
        missing = await asyncio.to_thread(main, ["export-rsvps", "99", "-o", str(target) + "x"])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert code == 0 and missing == 1
    text = target.read_bytes().decode("utf-8")
    assert text.startswith("\ufeffmeeting_id,name,unit,role,telegram_id,response,responded_at,note")
    assert "Member 000,Member 000 Unit,council,100,maybe," in text


async def test_two_hundred_invitees_answering_concurrently_are_all_recorded(
    bot: BotHarness,
) -> None:
    users = await council(bot, 200, first_id=10_000)
    meeting = await confirmed_meeting(bot, f"{FORM} | capacity=150")
    codes = "ynm"
    updates = [
        Update.de_json(
            bot.factory.callback(
                user, f"rsvp:{meeting.id}:1:{codes[n % 3]}", invitation_of(bot, user["id"])
            ),
            bot.app.bot,
        )
        for n, user in enumerate(users)
    ]
    await asyncio.gather(*(bot.app.process_update(update) for update in updates))
    people = await answers(bot, meeting.id)
    counts = {code: 0 for code in ("yes", "no", "maybe", "none")}
    for person in people.values():
        counts[person.response] += 1
    assert counts == {"yes": 67, "no": 67, "maybe": 66, "none": 1}  # the admin did not answer
    assert len(await AnswerRepository(bot.app.bot_data.db).seated(meeting)) == 67
    assert bot.errors == []


async def test_invitations_left_unsent_by_a_crash_are_sent_at_start_up(bot: BotHarness) -> None:
    await council(bot, 3)
    meeting = await confirmed_meeting(bot)
    async with bot.app.bot_data.db.transaction() as tx:  # as if the bot died mid-delivery
        await tx.execute("UPDATE meeting_rounds SET status = 'sending'")
        await tx.execute(
            "UPDATE meeting_outbox SET state = CASE chat_id WHEN 101 THEN 'sending'"
            " ELSE 'pending' END WHERE chat_id IN (101, 102)"
        )
        await tx.execute(
            "UPDATE invitations SET delivery = 'pending', message_id = NULL"
            " WHERE meeting_id = ? AND person_id IN"
            " (SELECT id FROM persons WHERE telegram_id IN (101, 102))",
            (meeting.id,),
        )
    before = len(bot.api.calls)
    assert await service(bot).rounds.resume() == 1
    calls = bot.api.calls[before:]
    assert bot.texts_to(100, calls) == []
    assert len(bot.texts_to(101, calls)) == 1 and len(bot.texts_to(102, calls)) == 1
    people = await answers(bot, meeting.id)
    assert {people[name].delivery for name in ("Member 001", "Member 002")} == {"sent"}
    assert await service(bot).rounds.resume() == 0
