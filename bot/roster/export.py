"""The roster as a spreadsheet (CSV or Excel) in the columns the import reads, plus id and reach."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Literal

from openpyxl import Workbook

from bot.spreadsheet import csv_document, spreadsheet_row
from storage.roster import Reach, RosterEntry, RosterRepository

__all__ = [
    "EXPORT_COLUMNS",
    "ExportFormat",
    "RosterFile",
    "export_roster",
    "roster_csv",
    "roster_table",
    "roster_xlsx",
]

# The import's columns (name, unit, role, telegram_id, language) so the file can be edited and
# imported again, with the entry's id first and how its Telegram account stands last.
EXPORT_COLUMNS = ("id", "name", "unit", "role", "telegram_id", "language", "telegram")
ExportFormat = Literal["csv", "xlsx"]


@dataclass(frozen=True)
class RosterFile:
    """An exported roster: the file name to show and its bytes."""

    filename: str
    content: bytes
    entries: int


def _telegram(entry: RosterEntry, reach: Reach) -> str:
    if entry.telegram_id is None:
        return "not_linked"
    return {Reach.REACHABLE: "linked"}.get(reach, reach.value)


def roster_table(entries: list[tuple[RosterEntry, Reach]]) -> list[list[object]]:
    """One row per entry in the order of `EXPORT_COLUMNS` (the header not included)."""
    return [
        [
            entry.id,
            entry.name,
            entry.unit,
            entry.role.value,
            entry.telegram_id if entry.telegram_id is not None else "",
            entry.language or "",
            _telegram(entry, reach),
        ]
        for entry, reach in entries
    ]


def roster_csv(rows: list[list[object]]) -> bytes:
    """The roster as CSV, UTF-8 with a byte-order mark, no cell readable as a formula."""
    return csv_document(EXPORT_COLUMNS, rows)


def roster_xlsx(rows: list[list[object]]) -> bytes:
    """The roster as an Excel workbook, one sheet, no cell readable as a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("roster")
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        # Telegram ids are written as text: Excel shows long numbers in scientific notation.
        cells = spreadsheet_row(row)
        cells[4] = str(cells[4])
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def export_roster(roster: RosterRepository, kind: ExportFormat, today: date) -> RosterFile:
    """The whole roster as a CSV or Excel file named after today's date."""
    entries = await roster.export_entries()
    rows = roster_table(entries)
    content = roster_csv(rows) if kind == "csv" else roster_xlsx(rows)
    return RosterFile(f"roster-{today.isoformat()}.{kind}", content, len(entries))
