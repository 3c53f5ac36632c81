"""`run_bot.py roster import|export FILE`: the roster on the command line, offline."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from bot.cli_files import FileProblem, check_writable, read_bytes, write_bytes
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.i18n import load_catalog
from bot.roster.csv_import import PlannedRow, apply_plan, plain_problem, plan_import
from bot.roster.export import export_roster
from bot.roster.sheets import SheetError, roster_text
from storage.database import Database
from storage.invites import InviteRepository
from storage.people import Role
from storage.roster import RosterRepository

# Asked at a terminal before secretariat changes are applied: True for yes.
Ask = Callable[[str], bool]

__all__ = ["export_file", "export_roster_file", "import_file", "import_roster"]


def _ask_at_terminal(question: str) -> bool:
    """Ask on the terminal; only an explicit yes counts."""
    try:
        answer = input(question)
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def import_roster(settings: Settings, file: str, *, confirm_secretariat: bool = False) -> int:
    """Import the CSV or Excel file; 0 when every row went in, 1 when some were rejected or held
    back, 2 when none could."""
    ask = _ask_at_terminal if sys.stdin.isatty() and sys.stdout.isatty() else None
    try:
        return asyncio.run(
            import_file(
                settings,
                file,
                sys.stdout,
                sys.stderr,
                confirm_secretariat=confirm_secretariat,
                ask=ask,
            )
        )
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped reading; the import itself is complete.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _secretariat_change(row: PlannedRow) -> str:
    name = f"{row.change.name} ({row.change.unit or '-'})"
    if row.change.role is Role.SECRETARIAT:
        return f"{name} would become secretariat"
    return f"{name} would no longer be secretariat (now {row.change.role.value})"


async def import_file(
    settings: Settings,
    file: str,
    out: TextIO,
    err: TextIO,
    clock: Clock | None = None,
    *,
    confirm_secretariat: bool = False,
    ask: Ask | None = None,
) -> int:
    """Import the CSV or Excel file at `file`, report on `out` and the rejected rows on `err`.

    Rows that make someone secretariat or take it away are applied only with
    `confirm_secretariat` or a yes to `ask`; otherwise they are listed and held back."""
    try:
        content = read_bytes(file)
    except FileProblem as unusable:
        print(unusable, file=err)
        return 2
    try:
        text = roster_text(content, file)
    except SheetError as error:
        print(f"{file}: {load_catalog('en')[f'roster.file_{error.key}']}", file=err)
        return 2
    now = (clock or SystemClock()).now()
    db = await Database.open(settings.db_path)
    try:
        roster = RosterRepository(db)
        plan = plan_import(text, await roster.entries())
        if plan.fatal is not None:
            print(f"{file}: {plain_problem(plan.fatal)}", file=err)
            return 2
        held = plan.secretariat_rows()
        if held and not confirm_secretariat:
            for row in held:
                print(f"{file}:{row.line}: {_secretariat_change(row)}", file=err)
            question = f"Apply these {len(held)} secretariat change(s)? [y/N] "
            if ask is None or not ask(question):
                plan = plan.without_secretariat_changes()
                print(
                    f"{len(held)} secretariat change(s) held back, nothing changed for them;"
                    " run again with --confirm-secretariat to apply them.",
                    file=err,
                )
            else:
                held = []
        else:
            held = []
        report = await apply_plan(
            roster, InviteRepository(db), plan, settings.bot_username, None, now
        )
    finally:
        await db.close()
    for problem in plan.problems:
        print(f"{file}:{problem.line}: {plain_problem(problem)}", file=err)
    print(
        f"{plan.count('new')} new, {plan.count('updated')} updated, "
        f"{plan.count('unchanged')} unchanged, {len(plan.problems)} rejected.",
        file=out,
    )
    if report.links:
        print("Invite links for entries not yet on Telegram:", file=out)
        for name, unit, role, link in report.links:
            print(f"{name}\t{unit}\t{role.value}\t{link}", file=out)
    return 1 if plan.problems or held else 0


def export_roster_file(settings: Settings, file: str) -> int:
    """Write the roster to FILE.csv or FILE.xlsx; 0 on success, 2 when it cannot be written."""
    return asyncio.run(export_file(settings, file, sys.stdout, sys.stderr))


async def export_file(
    settings: Settings, file: str, out: TextIO, err: TextIO, clock: Clock | None = None
) -> int:
    """Write the roster to `file` (CSV or Excel by its extension); report on `out` or `err`."""
    path = Path(file)
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("csv", "xlsx"):
        print(f"{file}: the file name must end in .csv or .xlsx", file=err)
        return 2
    if not settings.db_path.is_file():
        print(f"{file}: no database at {settings.db_path}", file=err)
        return 2
    try:
        check_writable(path)
    except FileProblem as unusable:
        print(unusable, file=err)
        return 2
    today = (clock or SystemClock()).now().astimezone(settings.timezone).date()
    db = await Database.open(settings.db_path)
    try:
        exported = await export_roster(
            RosterRepository(db), "csv" if kind == "csv" else "xlsx", today
        )
    finally:
        await db.close()
    try:
        write_bytes(path, exported.content)
    except FileProblem as unusable:
        print(unusable, file=err)
        return 2
    print(f"{exported.entries} entries written to {file}.", file=out)
    return 0
