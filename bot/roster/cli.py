"""`run_bot.py roster import FILE.csv`: the roster import on the command line, offline."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.clock import SystemClock
from bot.config import Settings
from bot.i18n import t
from bot.roster.csv_import import apply_plan, decode_csv, plan_import, render_problem
from storage.database import Database
from storage.roster import RosterRepository

__all__ = ["import_roster"]


def import_roster(settings: Settings, file: str, out: TextIO | None = None) -> int:
    """Import the CSV; 0 when every row went in, 1 when some were rejected, 2 when none could."""
    out = out or sys.stdout
    path = Path(file)
    try:
        content = path.read_bytes()
    except OSError as error:
        print(f"{file}: {error.strerror or error}", file=sys.stderr)
        return 2
    text = decode_csv(content)
    if text is None:
        print(f"{file}: not a text file (UTF-8 or GB18030 expected)", file=sys.stderr)
        return 2
    return asyncio.run(_import(settings, text, file, out))


async def _import(settings: Settings, text: str, file: str, out: TextIO) -> int:
    db = await Database.open(settings.db_path)
    try:
        roster = RosterRepository(db)
        plan = plan_import(text, await roster.entries())
        if plan.fatal is not None:
            print(f"{file}: {render_problem('en', plan.fatal)}", file=sys.stderr)
            return 2
        report = await apply_plan(roster, plan, settings.bot_username, None, SystemClock().now())
    finally:
        await db.close()
    for problem in plan.problems:
        print(
            f"{file}:{problem.line}: {t('en', f'roster.csv_{problem.key}', **problem.values)}",
            file=sys.stderr,
        )
    print(
        f"{plan.count('new')} new, {plan.count('updated')} updated, "
        f"{plan.count('unchanged')} unchanged, {len(plan.problems)} rejected.",
        file=out,
    )
    if report.links:
        print("Invite links for entries not yet on Telegram:", file=out)
        for name, unit, role, link in report.links:
            print(f"{name}\t{unit}\t{role.value}\t{link}", file=out)
    return 1 if plan.problems else 0
