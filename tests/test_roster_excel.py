"""Excel rosters: `roster import FILE.xlsx` and an uploaded `.xlsx` work like the CSV."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import Workbook

from bot.config import Settings
from bot.roster.cli import import_file
from storage.people import Role
from tests.harness import ADMIN_ID, BotHarness
from tests.roster_helpers import LINK, send_document


def workbook(*rows: tuple[object, ...], first_sheet: str = "Roster") -> bytes:
    """An .xlsx whose first sheet holds `rows` (a second sheet holds something else)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = first_sheet
    for row in rows:
        sheet.append(list(row))
    book.create_sheet("Notes").append(["not", "a", "roster"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


ROSTER = workbook(
    ("name", "unit", "role", "telegram_id", "language"),
    ("李华", "云南大学", "理事", None, "zh"),
    ("Anna Smith", "Friendship Society", "member"),  # Excel leaves trailing empty cells out
    (),
    ("Wang Fang", None, "member", 777, None),  # a number cell, as Excel stores ids
    ("Bad Role", "Unit", "chief", None, None),
    ("", "Unit", "member", None, None),
)


async def test_uploaded_excel_roster_previews_reports_rows_and_imports_on_confirm(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "en")
    bot.api.add_file("xlsx", ROSTER)
    calls = await send_document(bot, admin, "xlsx", "roster.xlsx")
    [preview] = bot.texts_to(ADMIN_ID, calls)
    assert "3 new, 0 updated, 0 unchanged, 2 rejected" in preview
    assert 'Row 6: role "chief" is not member, council or secretariat' in preview
    assert "Row 7: the name is empty" in preview

    calls = await bot.tap(admin, "ri:1:y")
    report = "\n".join(bot.texts_to(ADMIN_ID, calls))
    assert "Roster imported</b>: 3 new" in report
    assert len(LINK.findall(report)) == 2
    council = await bot.people.list_by_roles((Role.COUNCIL,))
    assert [(p.name, p.unit, p.language) for p in council] == [("李华", "云南大学", "zh")]
    wang = await bot.people.get_by_telegram_id(777)
    assert wang is not None and wang.name == "Wang Fang"


async def test_a_damaged_or_foreign_xlsx_is_answered_and_changes_nothing(
    bot: BotHarness,
) -> None:
    admin = bot.user(ADMIN_ID, "Sec", "zh")
    bot.api.add_file("bad", b"PK\x03\x04 not really a workbook")
    [answer] = bot.texts_to(ADMIN_ID, await send_document(bot, admin, "bad", "名册.xlsx"))
    assert answer.startswith("这不是我能读取的 Excel 工作簿")
    bot.api.add_file("other", workbook(("姓名", "单位"), ("李华", "云大")))
    [answer] = bot.texts_to(ADMIN_ID, await send_document(bot, admin, "other", "名册.xlsx"))
    assert "missing" in answer or "缺少" in answer
    assert await bot.people.list_by_roles((Role.COUNCIL, Role.MEMBER)) == []


async def test_cli_imports_an_excel_roster_and_reports_bad_rows_by_row_number(
    bot: BotHarness, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_bytes(ROSTER)
    out, err = io.StringIO(), io.StringIO()
    assert await import_file(settings, str(path), out, err) == 1
    assert "3 new, 0 updated, 0 unchanged, 2 rejected." in out.getvalue()
    assert f'{path}:6: role "chief" is not member, council or secretariat' in err.getvalue()
    assert f"{path}:7: the name is empty" in err.getvalue()

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"plain text")
    assert await import_file(settings, str(broken), out, err) == 2
    assert "not an Excel workbook I can read" in err.getvalue()
    assert "Traceback" not in err.getvalue()
