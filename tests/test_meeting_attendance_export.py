"""The attendance CSV: `/export ID` after the answers, and `run_bot.py export-attendance`."""

from __future__ import annotations

import asyncio
import csv
import io
import os
from datetime import UTC, datetime
from pathlib import Path

from bot.cli import main
from bot.config import Settings
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import (
    add_person,
    checkin_payload,
    confirmed_meeting,
    council,
    invitation_of,
    tap,
)

HEADER = "meeting_id,name,unit,role,telegram_id,response,checked_in_at,proxy_holder,walk_in"


async def _meeting_with_presence(bot: BotHarness) -> int:
    [ann, bob] = await council(bot, 2)
    await add_person(bot, "=HYPERLINK(x)", "member", 300, unit="+Formula Unit")
    meeting = await confirmed_meeting(bot)
    await tap(bot, ann, f"rsvp:{meeting.id}:1:y", invitation_of(bot, 100))
    await tap(bot, bob, f"rsvp:{meeting.id}:1:n", invitation_of(bot, 101))
    payload = await checkin_payload(bot, meeting.id)
    bot.clock.set(datetime(2026, 12, 15, 6, 2, 3, 987654, tzinfo=UTC))
    await bot.send(ann, f"/start {payload}")
    await bot.send(bot.user(300, "Walk"), f"/start {payload}")
    return meeting.id


async def test_export_sends_the_attendance_after_the_answers(bot: BotHarness) -> None:
    meeting_id = await _meeting_with_presence(bot)
    calls = await bot.send(bot.user(ADMIN_ID), f"/export {meeting_id}")
    docs = [c for c in calls if c.method == "sendDocument"]
    assert [name for c in docs for name, _ in c.files.values()] == [
        "meeting-1-rsvps.csv",
        "meeting-1-attendance.csv",
    ]
    [(_, content)] = docs[1].files.values()
    assert content.startswith(b"\xef\xbb\xbf" + HEADER.encode() + b"\r\n")
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))}
    ann = rows["Member 000"]
    assert (ann["response"], ann["checked_in_at"], ann["walk_in"]) == (
        "yes",
        "2026-12-15T14:02:03+08:00",
        "no",
    )
    assert rows["Member 001"]["checked_in_at"] == "" and rows["Member 001"]["response"] == "no"
    walk_in = rows["'=HYPERLINK(x)"]  # a formula-like name is written as text
    assert walk_in["walk_in"] == "yes" and walk_in["unit"] == "'+Formula Unit"
    assert walk_in["checked_in_at"] == "2026-12-15T14:02:03+08:00"
    assert list(rows) == ["Member 000", "Member 001", "Sec", "'=HYPERLINK(x)"]


async def test_export_attendance_subcommand_writes_the_same_file(
    bot: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    meeting_id = await _meeting_with_presence(bot)
    target = tmp_path / "attendance.csv"
    env = {"ASSOC_DB_PATH": str(settings.db_path), "TELEGRAM_BOT_TOKEN": ""}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        code = await asyncio.to_thread(
            main, ["export-attendance", str(meeting_id), "-o", str(target)]
        )
        missing = await asyncio.to_thread(main, ["export-attendance", "99", "-o", f"{target}x"])
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    assert (code, missing) == (0, 1)
    text = target.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff" + HEADER + "\r\n")
    assert "1,Member 000,Member 000 Unit,council,100,yes,2026-12-15T14:02:03+08:00,,no" in text
    assert not Path(f"{target}x").exists()
