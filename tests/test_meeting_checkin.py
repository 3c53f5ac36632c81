"""The meeting day: the check-in QR code and link, presence, walk-ins, the room's quorum."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.console import html_to_text
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import (
    FORM,
    add_person,
    checkin_payload,
    confirmed_meeting,
    council,
    service,
)

# FORM starts at 2026-12-15 14:30 in Shanghai, 06:30 UTC.
STARTS = datetime(2026, 12, 15, 6, 30, tzinfo=UTC)
LINK = re.compile(r"https://t\.me/youxie_bot\?start=(in\d+_[A-Za-z0-9]+)")


async def presence_rows(bot: BotHarness, meeting_id: int) -> list[tuple[int, str, int]]:
    rows = await bot.app.bot_data.db.fetchall(
        "SELECT person_id, checked_in_at, walk_in FROM meeting_attendance WHERE meeting_id = ?"
        " ORDER BY person_id",
        (meeting_id,),
    )
    return [(row[0], row[1], row[2]) for row in rows]


async def test_checkin_answers_a_qr_code_picture_and_the_same_link_as_text(
    bot: BotHarness,
) -> None:
    await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    calls = await bot.send(bot.user(ADMIN_ID, "Sec"), f"/checkin {meeting.id}")
    [photo] = [c for c in calls if c.method == "sendPhoto"]
    [(name, png)] = photo.files.values()
    assert name.endswith(".png") and png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 500
    assert LINK.search(photo.text) is not None
    assert "Tue, 15 Dec 2026 12:30" in photo.text and "Tue, 15 Dec 2026 20:30" in photo.text
    assert await checkin_payload(bot, meeting.id) == LINK.search(photo.text).group(1)  # type: ignore[union-attr]


async def test_member_opening_the_link_is_recorded_present_once(bot: BotHarness) -> None:
    [ann] = await council(bot, 1)
    meeting = await confirmed_meeting(bot)
    payload = await checkin_payload(bot, meeting.id)
    bot.clock.set(datetime(2026, 12, 15, 6, 5, 9, tzinfo=UTC))
    [text] = bot.texts_to(ann["id"], await bot.send(ann, f"/start {payload}"))
    assert "recorded present at meeting #1 (Council meeting) at 14:05" in text
    [(person_id, first, walk_in)] = await presence_rows(bot, meeting.id)
    assert walk_in == 0
    bot.clock.set(datetime(2026, 12, 15, 7, 0, tzinfo=UTC))
    [again] = bot.texts_to(ann["id"], await bot.send(ann, f"/start {payload}"))
    assert "already recorded present at meeting #1 at 14:05; nothing changed" in again
    assert await presence_rows(bot, meeting.id) == [(person_id, first, 0)]


async def test_member_is_told_in_their_language(bot: BotHarness) -> None:
    await add_person(bot, "李伟", "council", 100, "zh")
    meeting = await confirmed_meeting(bot)
    payload = await checkin_payload(bot, meeting.id)
    bot.clock.set(STARTS)
    [text] = bot.texts_to(100, await bot.send(bot.user(100, "李伟", "zh"), f"/start {payload}"))
    assert "已为您登记出席会议 #1" in text and "14:30" in text


async def test_wrong_expired_early_and_other_meetings_codes_are_refused_with_a_reason(
    bot: BotHarness,
) -> None:
    [ann] = await council(bot, 1)
    first = await confirmed_meeting(bot)
    second = await confirmed_meeting(bot, "Second | 2026-12-16 14:30 | Hall B")
    payload = await checkin_payload(bot, first.id)
    other = await checkin_payload(bot, second.id)
    code = payload.split("_", 1)[1]
    other_code = other.split("_", 1)[1]
    cases = {
        f"/start in{first.id}_WRONGCODE1": "not valid for meeting #1 (wrong code)",
        f"/start in{first.id}_{other_code}": "belongs to another meeting (#2), not to meeting #1",
        f"/start in99_{code}": "There is no meeting #99",
        f"/start in{first.id}_": "damaged",
    }
    bot.clock.set(STARTS)
    for command, reason in cases.items():
        [text] = bot.texts_to(ann["id"], await bot.send(ann, command))
        assert reason in text, command
    bot.clock.set(datetime(2026, 12, 15, 4, 29, tzinfo=UTC))  # 2 h 1 min before the start
    [early] = bot.texts_to(ann["id"], await bot.send(ann, f"/start {payload}"))
    assert "opens at Tue, 15 Dec 2026 12:30" in early
    bot.clock.set(datetime(2026, 12, 15, 12, 31, tzinfo=UTC))  # 6 h 1 min after
    [late] = bot.texts_to(ann["id"], await bot.send(ann, f"/start {payload}"))
    assert "closed at Tue, 15 Dec 2026 20:30" in late
    assert await presence_rows(bot, first.id) == []
    assert await presence_rows(bot, second.id) == []


async def test_someone_not_invited_is_a_walk_in_shown_apart_and_not_counted(
    bot: BotHarness,
) -> None:
    users = await council(bot, 2)
    await add_person(bot, "Plain Member", "member", 300)
    meeting = await confirmed_meeting(bot)
    payload = await checkin_payload(bot, meeting.id)
    bot.clock.set(STARTS)
    [text] = bot.texts_to(300, await bot.send(bot.user(300, "Plain"), f"/start {payload}"))
    assert "walk-in" in text
    await bot.send(users[0], f"/start {payload}")
    [view] = bot.texts_to(ADMIN_ID, await bot.send(bot.user(ADMIN_ID), f"/meeting {meeting.id}"))
    plain = html_to_text(view)
    assert "In the room: present 1 of 3; quorum 2 not reached" in plain
    assert "Walk-ins (not invited, not counted): 1" in plain
    present, walk_ins = plain.split("Walk-ins, not invited (1)")
    assert "Present (1)" in present and "Member 000" in present.split("Present (1)")[1]
    assert "Plain Member" in walk_ins and "Plain Member" not in present


async def test_the_room_shows_the_quorum_live_as_people_check_in(bot: BotHarness) -> None:
    users = await council(bot, 5)  # with the admin: 6 invited, quorum 2/3 = 4
    meeting = await confirmed_meeting(bot)
    payload = await checkin_payload(bot, meeting.id)
    admin = bot.user(ADMIN_ID)
    bot.clock.set(STARTS)
    for user in users[:3]:
        await bot.send(user, f"/start {payload}")
    [view] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/meeting {meeting.id}"))
    assert "present 3 of 6; quorum 4 not reached" in view
    await bot.send(users[3], f"/start {payload}")
    [view] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/meeting {meeting.id}"))
    assert "present 4 of 6; quorum 4 reached" in view


async def test_summary_is_redrawn_once_for_many_check_ins(bot: BotHarness) -> None:
    users = await council(bot, 4)
    meeting = await confirmed_meeting(bot)
    payload = await checkin_payload(bot, meeting.id)
    bot.clock.set(STARTS)
    queue = bot.app.job_queue
    assert queue is not None
    for job in queue.get_jobs_by_name(f"meeting-summary-{meeting.id}"):
        job.schedule_removal()
    service(bot).summary.pending.clear()
    for user in users:
        await bot.send(user, f"/start {payload}")
    jobs = queue.get_jobs_by_name(f"meeting-summary-{meeting.id}")
    assert len(jobs) == 1  # four check-ins, one edit due
    before = len(bot.api.calls)
    await jobs[0].run(bot.app)
    [edit] = [c for c in bot.api.calls[before:] if c.method == "editMessageText"]
    assert edit.chat_id == ADMIN_ID and "present 4 of 5; quorum 4 reached" in edit.text


async def test_secretariat_records_presence_by_hand_audited_and_members_cannot(
    bot: BotHarness,
) -> None:
    [ann, bob] = await council(bot, 2)
    meeting = await confirmed_meeting(bot)
    bot.clock.set(STARTS)
    people = {i.name: i.person_id for i in await service(bot).repo.invitees(meeting.id)}
    admin = bot.user(ADMIN_ID)
    bob_id = people["Member 001"]
    [text] = bot.texts_to(
        ADMIN_ID, await bot.send(admin, f"/meeting {meeting.id} present {bob_id}")
    )
    assert "Member 001 is recorded present" in text
    [again] = bot.texts_to(
        ADMIN_ID, await bot.send(admin, f"/meeting {meeting.id} present {bob_id}")
    )
    assert "already recorded present; nothing changed" in again
    assert [row[0] for row in await presence_rows(bot, meeting.id)] == [bob_id]
    [undo] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/meeting {meeting.id} absent {bob_id}"))
    assert "no longer recorded present" in undo
    assert await presence_rows(bot, meeting.id) == []
    rows = await bot.app.bot_data.db.fetchall(
        "SELECT action, subject_person_id, detail FROM audit_log WHERE action = ?",
        ("meeting_presence_set",),
    )
    assert [(r[1], r[2]) for r in rows] == [
        (bob_id, "meeting #1: present"),
        (bob_id, "meeting #1: absent"),
    ]
    for bad in ("present", "present x", "present 1 2", "absent -4"):
        [usage] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/meeting {meeting.id} {bad}"))
        assert "Usage:" in usage and "present PERSON_ID" in usage
    [missing] = bot.texts_to(ADMIN_ID, await bot.send(admin, f"/meeting {meeting.id} present 999"))
    assert "no roster entry with id 999" in missing
    [refused] = bot.texts_to(
        ann["id"], await bot.send(ann, f"/meeting {meeting.id} present {people['Member 000']}")
    )
    assert "only for the secretariat" in refused
    assert bob is not None and await presence_rows(bot, meeting.id) == []


async def test_checkin_usage_and_form_refuse_bad_input(bot: BotHarness) -> None:
    admin = bot.user(ADMIN_ID)
    [usage] = bot.texts_to(ADMIN_ID, await bot.send(admin, "/checkin abc"))
    assert "Usage:" in usage and "/checkin 3" in usage
    [missing] = bot.texts_to(ADMIN_ID, await bot.send(admin, "/checkin 42"))
    assert "There is no meeting #42" in missing
    [ann] = await council(bot, 1)
    await confirmed_meeting(bot, FORM)
    [refused] = bot.texts_to(ann["id"], await bot.send(ann, "/checkin 1"))
    assert "only for the secretariat" in refused


async def test_an_invite_code_that_looks_like_a_check_in_still_binds(bot: BotHarness) -> None:
    person = await add_person(bot, "Wang Fang", "council", None)
    stamp = "2026-11-28T02:00:00.000000+00:00"
    async with bot.app.bot_data.db.transaction() as tx:
        await tx.execute(
            "INSERT INTO invite_codes (code, person_id, role, created_at, expires_at)"
            " VALUES ('in1_Ab-cdEFgh', ?, 'council', ?, '2027-01-01T00:00:00.000000+00:00')",
            (person, stamp),
        )
    [text] = bot.texts_to(700, await bot.send(bot.user(700, "Wang"), "/start in1_Ab-cdEFgh"))
    assert "Wang Fang" in text and "check-in" not in text
    row = await bot.app.bot_data.db.fetchone(
        "SELECT telegram_id FROM persons WHERE id = ?", (person,)
    )
    assert row is not None and row[0] == 700
