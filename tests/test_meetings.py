"""Creating meetings and answering invitations."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar

from bot.console import html_to_text
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


async def test_one_line_form_previews_and_sends_nothing_before_confirm(bot: BotHarness) -> None:
    await council(bot, 2)
    await add_person(bot, "Unbound Wang", "council", None)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, f"/newmeeting {FORM} | capacity=10 | agenda=Budget")
    [preview] = [html_to_text(text) for text in bot.texts_to(ADMIN_ID, calls)]
    assert "Preview of meeting #1: Council meeting" in preview
    assert "Tue, 15 Dec 2026 14:30" in preview
    assert "Please answer by Mon, 14 Dec 2026 14:30" in preview
    assert "4 people will be invited; 1 of them has no Telegram account" in preview
    [button] = next(c for c in calls if c.callback_data()).button_texts()
    assert "Confirm" in button
    assert bot.texts_to(100) == []


async def test_confirm_invites_the_council_in_each_language_with_three_buttons(
    bot: BotHarness,
) -> None:
    await add_person(bot, "Li Wei", "council", 100, "zh", unit="昆明会堂")
    await add_person(bot, "Ann Lee", "council", 101, "en")
    await add_person(bot, "Plain Member", "member", 102, "en")
    await add_person(bot, "Unbound Wang", "council", None)
    meeting = await confirmed_meeting(bot)

    zh = invitation_of(bot, 100)
    assert "会议 #1 邀请" in zh["text"] and "2026年12月15日周二 14:30" in zh["text"]
    labels = [b["text"] for row in zh["reply_markup"]["inline_keyboard"] for b in row]
    assert labels[:3] == ["参加", "不参加", "待定"] and ".ics" in labels[3]
    en = invitation_of(bot, 101)
    en_labels = [b["text"] for row in en["reply_markup"]["inline_keyboard"] for b in row]
    assert en_labels[:3] == ["Yes", "No", "Maybe"]
    assert "Kunming Hall, room 2" in en["text"] and "Mon, 14 Dec 2026 14:30" in en["text"]
    assert bot.texts_to(102) == []  # a plain member is not invited to a council meeting
    report = bot.texts_to(ADMIN_ID)[-1]
    assert "3 sent, 1 unreachable" in report  # the secretariat admin is invited; Wang unbound
    people = await answers(bot, meeting.id)
    assert people["Unbound Wang"].delivery == "unreachable"


async def test_confirm_twice_sends_once(bot: BotHarness) -> None:
    await council(bot, 2)
    admin = bot.user(ADMIN_ID, "Sec")
    calls = await bot.send(admin, f"/newmeeting {FORM}")
    data = next(c for c in calls if c.callback_data()).callback_data()[0]
    preview = bot.api.last_message_to(ADMIN_ID)
    await tap(bot, admin, data, preview)
    calls = await tap(bot, admin, data, preview)
    assert bot.alerts(calls) == ["This meeting has already been confirmed."]
    assert len(bot.texts_to(100)) == 1


async def test_bad_form_answers_usage_and_changes_nothing(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    for form in (
        "Only a title",
        "T | 2026-13-40 10:00 | Hall",
        "T | 2020-01-01 10:00 | Hall",
        "T | 2026-12-15 10:00 | Hall | capacity=-3",
        "T | 2026-12-15 10:00 | Hall | quorum=5/3",
        "T | 2026-12-15 10:00 | Hall | audience=everyone",
        "T | 2026-12-15 10:00 | Hall | deadline=2026-12-16 10:00",
        "T | 2026-12-15 10:00 | Hall | colour=red",
    ):
        [text] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/newmeeting {form}"))
        assert "Usage:" in text and "Example:" in text, form
    row = await bot.app.bot_data.db.fetchone("SELECT COUNT(*) FROM meetings")
    assert row is not None and row[0] == 0


async def test_newmeeting_is_refused_to_members(bot: BotHarness) -> None:
    await add_person(bot, "Ann", "council", 100)
    [text] = bot.texts_to(100, await bot.send(bot.user(100), f"/newmeeting {FORM}"))
    assert text == "Sorry, this is only for the secretariat."


async def test_guided_newmeeting_asks_each_field_and_can_be_cancelled(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID, "Sec")
    assert "title" in bot.texts_to(ADMIN_ID, await bot.send(admin, "/newmeeting"))[0]
    assert "When" in bot.texts_to(ADMIN_ID, await bot.send(admin, "Spring council"))[0]
    [again] = bot.texts_to(ADMIN_ID, await bot.send(admin, "tomorrow"))
    assert "could not read" in again
    assert "Where" in bot.texts_to(ADMIN_ID, await bot.send(admin, "2026-12-20 09:00"))[0]
    assert "agenda" in bot.texts_to(ADMIN_ID, await bot.send(admin, "Kunming Hall"))[0]
    calls = await bot.send(admin, "Work report | capacity=5")
    [preview] = bot.texts_to(ADMIN_ID, calls)
    assert "Spring council" in preview and "Work report" in preview and "Seats: 5" in preview

    await bot.send(admin, "/newmeeting")
    [text] = bot.texts_to(ADMIN_ID, await bot.send(admin, "/cancel"))
    assert "nothing was created" in text


async def test_answers_change_until_the_deadline_and_no_asks_a_reason(bot: BotHarness) -> None:
    [ann, _] = await council(bot, 2)
    meeting = await confirmed_meeting(bot)
    calls = await tap(bot, ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
    assert bot.alerts(calls) == ["Recorded: Yes"]
    assert "Your answer: <b>Yes</b>" in invitation_of(bot, 100)["text"]

    calls = await tap(bot, ann, f"rsvp:{meeting.id}:1:n", invitation_of(bot, 100))
    prompt = next(c for c in calls if c.method == "sendMessage")
    assert "reason" in prompt.text and "force_reply" in prompt.params["reply_markup"]
    reply_to = bot.api.last_message_to(100)
    update = bot.factory.message(ann, "Travelling abroad", reply_to_message=reply_to)
    before = len(bot.api.calls)
    await bot.feed(update)
    assert "reason for meeting #1 is recorded" in bot.texts_to(100, bot.api.calls[before:])[0]
    person = (await answers(bot, meeting.id))["Member 000"]
    assert (person.response, person.note) == ("no", "Travelling abroad")


async def test_the_same_callback_update_twice_changes_nothing_the_second_time(
    bot: BotHarness,
) -> None:
    [ann] = await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    update = bot.factory.callback(ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
    await bot.feed(update)
    await service(bot).flush()
    first = await answers(bot, meeting.id)
    bot.clock.advance(minutes=5)
    before = len(bot.api.calls)
    await bot.feed(update)
    await service(bot).flush()
    assert await answers(bot, meeting.id) == first
    second = bot.api.calls[before:]
    assert [c.method for c in second] == ["answerCallbackQuery"]
    assert bot.alerts(second) == ["Your answer is already: Yes"]


async def test_forged_callback_data_is_refused_without_effect(bot: BotHarness) -> None:
    [ann, bob] = await council(bot, 2)
    outsider = bot.user(777, "Eve")
    await add_person(bot, "Eve", "member", 777)
    meeting = await confirmed_meeting(bot)
    other = await confirmed_meeting(bot, "Members day | 2026-12-18 10:00 | Hall | audience=members")
    await tap(bot, bob, f"rsvp:{other.id}:1:y", invitation_of(bot, 101))
    snapshot = (await answers(bot, meeting.id), await answers(bot, other.id))

    forged = [
        (outsider, f"rsvp:{meeting.id}:1:y"),  # not invited
        (ann, "rsvp:99:1:y"),  # another (non-existent) meeting
        (ann, f"rsvp:{meeting.id}:1:x"),  # malformed
        (ann, f"rsvp:{meeting.id}:1:yes"),
        (ann, f"rsvp:{meeting.id}:01:y"),
        (ann, "rsvp:" + "9" * 70),  # oversize
        (ann, f"rsvp:{meeting.id}:2:y"),  # a version that does not exist
    ]
    for user, data in forged:
        calls = await tap(bot, user, data, invitation_of(bot, user["id"]))
        assert bot.alerts(calls) and "Recorded" not in bot.alerts(calls)[0], data
    assert (await answers(bot, meeting.id), await answers(bot, other.id)) == snapshot

    bot.clock.set(datetime(2026, 12, 14, 7, 0, tzinfo=UTC))  # after the deadline
    calls = await tap(bot, ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
    assert "closed" in bot.alerts(calls)[0]
    assert "Answers are closed" in invitation_of(bot, 100)["text"]
    labels = [
        b["text"] for row in invitation_of(bot, 100)["reply_markup"]["inline_keyboard"] for b in row
    ]
    assert "Yes" not in labels
    assert (await answers(bot, meeting.id), await answers(bot, other.id)) == snapshot


async def test_capacity_waitlist_and_promotion(bot: BotHarness) -> None:
    [a, b, c] = await council(bot, 3)
    meeting = await confirmed_meeting(bot, f"{FORM} | capacity=1")
    await tap(bot, a, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
    bot.clock.advance(seconds=1)
    await tap(bot, b, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 101))
    bot.clock.advance(seconds=1)
    await tap(bot, c, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 102))
    assert "number 1 on the waitlist" in invitation_of(bot, 101)["text"]
    assert "number 2 on the waitlist" in invitation_of(bot, 102)["text"]

    calls = await tap(bot, a, f"rsvp:{meeting.id}:1:n", invitation_of(bot, 100))
    [told] = bot.texts_to(101, calls)
    assert "seat became free" in told
    assert bot.texts_to(102, calls) == []
    [view] = bot.texts_to(ADMIN_ID, await bot.send(bot.user(ADMIN_ID), f"/meeting {meeting.id}"))
    assert "Waitlist (1)" in view and "Member 002" in view.split("Waitlist")[1]


async def test_meeting_view_counts_non_responders_and_quorum(bot: BotHarness) -> None:
    users = await council(bot, 5)
    await add_person(bot, "Unbound Wang", "council", None, unit="Dianchi Unit")
    meeting = await confirmed_meeting(bot)
    for user, code in zip(users, "yymn", strict=False):
        await tap(bot, user, f"rsvp:{meeting.id}:1:{code}", invitation_of(bot, user["id"]))
    [view] = bot.texts_to(ADMIN_ID, await bot.send(bot.user(ADMIN_ID), f"/meeting #{meeting.id}"))
    assert "Yes 2 · No 1 · Maybe 1 · No answer 3 (of 7 invited)" in view
    # 7 invited (5 council, the unbound entry and the secretariat admin): ceil(14/3) = 5
    assert "expected present 2 / required 5 (2/3); Maybe 1 not counted" in view
    assert "Member 004, Member 004 Unit" in view.split("No answer yet")[1]
    assert "Unbound Wang, Dianchi Unit" in view.split("Unreachable, no answer")[1]


async def test_quorum_option_overrides_the_council_default(bot: BotHarness) -> None:
    [a, _, _] = await council(bot, 3)
    meeting = await confirmed_meeting(bot, f"{FORM} | quorum=25%")
    await tap(bot, a, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
    [view] = bot.texts_to(ADMIN_ID, await bot.send(bot.user(ADMIN_ID), f"/meeting {meeting.id}"))
    assert "✅ Quorum: expected present 1 / required 1 (1/4)" in view


async def test_long_lists_are_paginated_under_telegram_limit(bot: BotHarness) -> None:
    async with bot.app.bot_data.db.transaction() as tx:
        await tx.executemany(
            "INSERT INTO persons (name, unit, role, created_at, updated_at)"
            " VALUES (?, ?, 'council', '2026-01-01T00:00:00.000000+00:00',"
            " '2026-01-01T00:00:00.000000+00:00')",
            [(f"Council member with a long name {n:04d}", "A unit " * 8) for n in range(400)],
        )
    meeting = await confirmed_meeting(bot)
    admin = bot.user(ADMIN_ID)
    calls = await bot.send(admin, f"/meeting {meeting.id}")
    [first] = [c for c in calls if c.method == "sendMessage"]
    pages = int(first.button_texts()[0].split("/")[1])
    assert pages > 1 and len(first.text) < 4096
    seen = first.text
    for page in range(1, pages):
        calls = await tap(bot, admin, f"mtgpage:{meeting.id}:{page}")
        [edit] = [c for c in calls if c.method == "editMessageText"]
        assert len(edit.text) < 4096
        seen += edit.text
    assert all(f"long name {n:04d}" in seen for n in range(400))


async def test_creator_summary_is_edited_once_per_interval(bot: BotHarness) -> None:
    users = await council(bot, 3)
    meeting = await confirmed_meeting(bot)
    for user in users:
        await tap(bot, user, f"rsvp:{meeting.id}:1:y", invitation_of(bot, user["id"]))
    queue = bot.app.job_queue
    assert queue is not None
    jobs = queue.get_jobs_by_name(f"meeting-summary-{meeting.id}")
    assert len(jobs) == 1
    before = len(bot.api.calls)
    await jobs[0].run(bot.app)
    [edit] = [c for c in bot.api.calls[before:] if c.method == "editMessageText"]
    assert edit.chat_id == ADMIN_ID and "Yes 3 ·" in edit.text


async def test_members_see_their_meetings_and_change_answers(bot: BotHarness) -> None:
    [ann] = await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    calls = await bot.send(ann, "/meetings")
    [listing] = [c for c in calls if c.method == "sendMessage"]
    assert "no answer yet" in listing.text and listing.button_texts()[:3] == ["Yes", "No", "Maybe"]
    await tap(bot, ann, listing.callback_data()[2])
    assert (await answers(bot, meeting.id))["Member 000"].response == "maybe"


async def test_ics_button_sends_a_calendar_file(bot: BotHarness) -> None:
    [ann] = await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    calls = await tap(bot, ann, f"ics:{meeting.id}", invitation_of(bot, 100))
    [doc] = [c for c in calls if c.method == "sendDocument"]
    [(name, content)] = doc.files.values()
    assert name == "meeting-1.ics"
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2026, 12, 15, 6, 30, tzinfo=UTC)
    assert str(event["summary"]) == "Council meeting"
    assert str(event["location"]) == "Kunming Hall, room 2"
    calls = await tap(bot, bot.user(999, "Eve"), f"ics:{meeting.id}", invitation_of(bot, 100))
    assert [c.method for c in calls if c.method == "sendDocument"] == []


async def test_secretariat_sets_an_answer_after_the_deadline_audited(bot: BotHarness) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    person = (await answers(bot, meeting.id))["Member 000"]
    bot.clock.set(datetime(2026, 12, 15, 1, 0, tzinfo=UTC))
    admin = bot.user(ADMIN_ID)
    [text] = bot.texts_to(
        ADMIN_ID, await bot.send(admin, f"/meeting {meeting.id} set {person.person_id} no ill")
    )
    assert "answer is now No" in text
    updated = (await answers(bot, meeting.id))["Member 000"]
    assert (updated.response, updated.note) == ("no", "ill")
    row = await bot.app.bot_data.db.fetchone("SELECT action, detail FROM audit_log")
    assert row is not None and row[0] == "meeting_answer_set" and "none -> no" in row[1]
    calls = await bot.send(bot.user(100), f"/meeting {meeting.id} set {person.person_id} yes")
    assert "only for the secretariat" in bot.texts_to(100, calls)[0]
