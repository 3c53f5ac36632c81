"""The roster exported from /members as CSV and Excel: every entry, safe cells, re-importable."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from bot.config import Settings
from bot.roster.cli import export_file
from bot.transport import ApiCall
from storage.people import Role
from tests.harness import ADMIN_ID, BotHarness
from tests.roster_helpers import add_entry, send_document


def exported_file(calls: list[ApiCall]) -> tuple[str, bytes, str]:
    """The one document sent among `calls`: name, bytes and caption."""
    [call] = [c for c in calls if c.method == "sendDocument"]
    [(name, content)] = call.files.values()
    return name, content, call.text


async def roster_of_three(bot: BotHarness) -> None:
    await add_entry(bot, "Li Hua", Role.COUNCIL, telegram_id=81, unit="Yunnan University")
    await add_entry(bot, '=HYPERLINK("http://x")', Role.MEMBER, unit="+86 unit")
    await add_entry(bot, "王芳", Role.MEMBER, language="zh", unit="昆明市外办")


async def test_members_exports_the_roster_as_csv_with_formula_cells_neutralised(
    bot: BotHarness,
) -> None:
    await roster_of_three(bot)
    admin = bot.user(ADMIN_ID, "Sec", "en")
    calls = await bot.send(admin, "/members")
    [summary] = [c for c in calls if "mb:e:csv" in c.callback_data()]
    assert "Export CSV" in summary.button_texts()

    name, content, caption = exported_file(await bot.tap(admin, "mb:e:csv"))
    assert name == "roster-2026-11-28.csv"
    assert "4 entries" in caption
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert [row["name"] for row in rows] == [
        "Sec",
        "Li Hua",
        '\'=HYPERLINK("http://x")',
        "王芳",
    ]
    li = rows[1]
    assert (li["role"], li["telegram_id"], li["telegram"]) == ("council", "81", "linked")
    assert rows[2]["unit"] == "'+86 unit"
    assert (rows[3]["language"], rows[3]["telegram"]) == ("zh", "not_linked")


async def test_members_exports_the_roster_as_excel_with_the_import_columns(
    bot: BotHarness,
) -> None:
    await roster_of_three(bot)
    admin = bot.user(ADMIN_ID, "Sec", "zh")
    await bot.send(admin, "/members")
    name, content, caption = exported_file(await bot.tap(admin, "mb:e:xlsx"))
    assert name == "roster-2026-11-28.xlsx"
    assert "共 4 条" in caption
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["id", "name", "unit", "role", "telegram_id", "language", "telegram"]
    assert rows[2][1:5] == ["Li Hua", "Yunnan University", "council", "81"]
    assert rows[3][1] == '\'=HYPERLINK("http://x")'
    assert rows[4][1:3] == ["王芳", "昆明市外办"]


async def test_an_exported_roster_imports_again_without_changes(bot: BotHarness) -> None:
    await roster_of_three(bot)
    admin = bot.user(ADMIN_ID, "Sec", "en")
    await bot.send(admin, "/members")
    _, content, _ = exported_file(await bot.tap(admin, "mb:e:csv"))
    # The neutralised name is the one thing a spreadsheet keeps as typed: take it out.
    lines = [line for line in content.decode("utf-8-sig").splitlines() if "HYPERLINK" not in line]
    bot.api.add_file("exported", "\n".join(lines).encode())
    calls = await send_document(bot, admin, "exported", "roster.csv")
    assert "0 new, 0 updated, 3 unchanged, 0 rejected" in bot.texts_to(ADMIN_ID, calls)[0]


async def test_a_member_cannot_export_the_roster(bot: BotHarness) -> None:
    await add_entry(bot, "Anna", Role.MEMBER, telegram_id=82)
    anna = bot.user(82, "Anna")
    await bot.send(anna, "/help")
    calls = await bot.tap(anna, "mb:e:csv")
    assert not [c for c in calls if c.method == "sendDocument"]


async def test_roster_export_on_the_command_line_writes_excel_or_csv_by_extension(
    bot: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    await roster_of_three(bot)
    out, err = io.StringIO(), io.StringIO()
    target = tmp_path / "roster.xlsx"
    assert await export_file(settings, str(target), out, err, bot.clock) == 0
    assert out.getvalue() == f"4 entries written to {target}.\n"
    sheet = load_workbook(target, read_only=True).worksheets[0]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)][-1] == "王芳"

    assert await export_file(settings, str(tmp_path / "roster.ods"), out, err) == 2
    assert "must end in .csv or .xlsx" in err.getvalue()
