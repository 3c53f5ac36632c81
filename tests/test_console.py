"""The console: the operator is on no roster, each message says its chat, any button can be
tapped (as the person whose chat it is), messages can be replied to, input spans lines."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.console import run_console
from storage.database import Database
from storage.people import PeopleRepository, Role
from storage.roster import RosterRepository

Step = str | Callable[[str], str]


class Script(io.StringIO):
    """Console input that decides each line from what the console has printed so far."""

    def __init__(self, out: io.StringIO, steps: list[Step]) -> None:
        super().__init__()
        self.out, self.steps, self.lock = out, list(steps), threading.Lock()

    def readline(self, size: int | None = -1) -> str:
        with self.lock:
            if not self.steps:
                return ""
            step = self.steps.pop(0)
        return (step if isinstance(step, str) else step(self.out.getvalue())) + "\n"


def button(label: str) -> Callable[[str], str]:
    """The number of the last button shown with this label."""

    def find(out: str) -> str:
        return re.findall(rf"\[(\d+)\] {re.escape(label)}(?=\s|$)", out)[-1]

    return find


def reply_to(prompt: str, text: str) -> Callable[[str], str]:
    """`:reply N TEXT` to the last message whose text starts with `prompt`."""

    def find(out: str) -> str:
        number = re.findall(rf"── m(\d+) to [^\n]*\n{re.escape(prompt)}", out)[-1]
        return f":reply {number} {text}"

    return find


async def roster_with_council_member(settings: Settings) -> int:
    now = datetime.now(UTC)
    db = await Database.open(settings.db_path)
    try:
        person_id = await RosterRepository(db).add_entry(
            "Li Hua", "Unit", Role.COUNCIL, "en", None, now
        )
        await PeopleRepository(db).bind_telegram_id(person_id, 501, now)
    finally:
        await db.close()
    return person_id


async def console(settings: Settings, steps: list[Step], *, guest: bool = False) -> str:
    out = io.StringIO()
    assert await run_console(settings, Script(out, steps), out, guest=guest) == 0
    return out.getvalue()


async def test_operator_is_not_invited_and_answers_an_invitation_with_a_reason(
    tmp_path: Path,
) -> None:
    settings = Settings(db_path=tmp_path / "db.sqlite3")
    li = await roster_with_council_member(settings)
    day = (datetime.now(UTC) + timedelta(days=20)).strftime("%Y-%m-%d")
    out = await console(
        settings,
        [
            "/language",
            button("English"),
            f"/newmeeting Council | {day} 10:00 | Hall",
            button("✅ Confirm"),
            button("No"),
            reply_to("Sorry you cannot come", "Abroad that week"),
            "/meeting 1",
        ],
    )
    assert "1 people will be invited; 0 of them" in out  # Li only: the operator is not counted
    assert "── m1 to you" in out
    assert f"to Li Hua (#{li}, council)\n📅 Invitation to meeting #1" in out
    assert "Thank you, your reason for meeting #1 is recorded." in out
    assert "No (1)\n• Li Hua, Unit [id 1] — Abroad that week" in out
    db = await Database.open(settings.db_path)
    try:
        secretariat = await PeopleRepository(db).list_by_roles((Role.SECRETARIAT,))
    finally:
        await db.close()
    assert secretariat == []


async def test_a_block_or_continued_lines_are_one_message(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "db.sqlite3")
    out = await console(
        settings,
        [
            '"""',
            "/notice audience=council",
            "理事会周五开会。",
            "---",
            "The council meets on Friday.",
            '"""',
            "/ask what is the \\",
            "mission",
        ],
    )
    assert "理事会周五开会。" in out and "The council meets on Friday." in out
    assert "Preview" in out or "预览" in out


async def test_guest_console_gets_the_guest_welcome(tmp_path: Path) -> None:
    out = await console(Settings(db_path=tmp_path / "db.sqlite3"), ["/help"], guest=True)
    assert "/join" in out and "/members" not in out
