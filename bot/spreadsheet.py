"""Spreadsheet cells that stay text: no formula runs when a CSV or Excel file is opened."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

__all__ = ["FORMULA_STARTS", "csv_document", "spreadsheet_cell", "spreadsheet_row"]

# A cell starting with one of these is read by Excel, LibreOffice or Google Sheets as a formula
# (or, for tab and carriage return, hides what follows a leading formula character).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """`value` made safe for a spreadsheet: text that would start a formula gets a leading `'`.

    Numbers stay numbers (a negative id is not a formula); `None` becomes an empty cell.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_row(values: Iterable[object]) -> list[object]:
    """Every cell of a row through `spreadsheet_cell`."""
    return [spreadsheet_cell(value) for value in values]


def csv_document(header: Sequence[str], rows: Iterable[Iterable[object]]) -> bytes:
    """A CSV file for spreadsheets: UTF-8 with a byte-order mark, CRLF lines, safe cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(spreadsheet_row(header))
    for row in rows:
        writer.writerow(spreadsheet_row(row))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
