"""Cells that would start a spreadsheet formula are written as text in every CSV the bot makes."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Settings
from bot.spreadsheet import csv_document, spreadsheet_cell
from tests.harness import ADMIN_ID, BotHarness
from tests.meetings_support import confirmed_meeting, council

EVIL = '=HYPERLINK("http://evil.example","Click")'


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_starting_a_formula_becomes_text(start: str) -> None:
    assert spreadsheet_cell(f"{start}1+1") == f"'{start}1+1"


def test_ordinary_cells_and_numbers_are_left_as_they_are() -> None:
    assert spreadsheet_cell("Ivan Petrov") == "Ivan Petrov"
    assert spreadsheet_cell("王芳") == "王芳"
    assert spreadsheet_cell(-1001234) == -1001234
    assert spreadsheet_cell(None) == ""
    assert spreadsheet_cell("a=b") == "a=b"


def test_a_csv_document_has_a_bom_crlf_and_safe_cells() -> None:
    data = csv_document(["name", "id"], [[EVIL, 7], ["@SUM(A1)", None]])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [["name", "id"], ["'" + EVIL, "7"], ["'@SUM(A1)", ""]]
    assert b"\r\n" in data


async def applied_and_invited(bot: BotHarness) -> int:
    """A guest applies with a formula as name and unit, is approved as council and invited."""
    guest = bot.user(70, "Eve", "en")
    await bot.send(guest, "/join")
    await bot.send(guest, EVIL)
    await bot.send(guest, "+cmd|' /C calc'!A0")
    card = bot.api.sent(ADMIN_ID, "sendMessage")[-1]
    await bot.tap(bot.user(ADMIN_ID, "Sec"), card.callback_data()[1])
    await council(bot, 1)
    return (await confirmed_meeting(bot)).id


def export_rows(content: bytes) -> dict[str, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    return {row["telegram_id"]: row for row in rows}


async def test_export_writes_an_applicants_formula_as_text(bot: BotHarness) -> None:
    meeting_id = await applied_and_invited(bot)
    calls = await bot.send(bot.user(ADMIN_ID), f"/export {meeting_id}")
    [doc, _attendance] = [c for c in calls if c.method == "sendDocument"]
    [(_, content)] = doc.files.values()
    eve = export_rows(content)["70"]
    assert eve["name"] == "'" + EVIL
    assert eve["unit"] == "'+cmd|' /C calc'!A0"
    assert export_rows(content)["100"]["name"] == "Member 000"


async def test_export_rsvps_writes_an_applicants_formula_as_text(
    bot: BotHarness, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    meeting_id = await applied_and_invited(bot)
    target = tmp_path / "out.csv"
    monkeypatch.setenv("ASSOC_DB_PATH", str(settings.db_path))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    code = await asyncio.to_thread(main, ["export-rsvps", str(meeting_id), "-o", str(target)])
    assert code == 0
    assert export_rows(target.read_bytes())["70"]["name"] == "'" + EVIL
