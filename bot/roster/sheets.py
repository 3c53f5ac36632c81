"""Roster files: a CSV's text, or the first sheet of an `.xlsx` read as the same rows."""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from datetime import date, datetime, time

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from bot.roster.csv_import import decode_csv

__all__ = ["MAX_SHEET_ROWS", "SheetError", "is_workbook", "roster_text", "xlsx_as_csv"]

logger = logging.getLogger(__name__)

# Far more than any association's roster; a bigger sheet is a wrong file, not a roster.
MAX_SHEET_ROWS = 50_000
MAX_SHEET_COLUMNS = 50


class SheetError(ValueError):
    """The file cannot be read as a roster: `key` names the reason (`roster.file_<key>`)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _text(value: object) -> str:
    """A cell as the text a CSV would hold (whole numbers without `.0`, dates in ISO form)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return " ".join(str(value).split()) if "\n" in str(value) else str(value)


def xlsx_as_csv(content: bytes) -> str:
    """The first sheet as CSV text, one line per sheet row (so line numbers are row numbers).

    Short rows are padded to the header's width and empty cells past it dropped, as Excel
    leaves trailing cells out. Raises `SheetError` for a file that is not a readable workbook.
    """
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        logger.info("not a readable workbook: %s", error)
        raise SheetError("unreadable") from None
    try:
        if not workbook.worksheets:
            raise SheetError("unreadable")
        sheet = workbook.worksheets[0]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        width = 0
        for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
            if number > MAX_SHEET_ROWS:
                raise SheetError("too_many_rows")
            cells = [_text(value) for value in row[: MAX_SHEET_COLUMNS + 1]]
            if number == 1:
                while cells and not cells[-1].strip():
                    cells.pop()
                width = len(cells)
            else:
                while len(cells) > width and not cells[-1].strip():
                    cells.pop()
                if any(cell.strip() for cell in cells):
                    cells += [""] * (width - len(cells))
                else:
                    cells = []
            writer.writerow(cells)
        return buffer.getvalue()
    except SheetError:
        raise
    except Exception as error:  # a damaged workbook can fail in many ways inside openpyxl
        logger.info("workbook could not be read: %s", error)
        raise SheetError("unreadable") from None
    finally:
        workbook.close()


def is_workbook(file_name: str) -> bool:
    """True for a file name that says Excel workbook (`.xlsx`)."""
    return file_name.lower().endswith(".xlsx")


def roster_text(content: bytes, file_name: str) -> str:
    """The roster's rows as CSV text, from a CSV or an Excel file; `SheetError` if unreadable."""
    if is_workbook(file_name):
        return xlsx_as_csv(content)
    text = decode_csv(content)
    if text is None:
        raise SheetError("not_text")
    return text
