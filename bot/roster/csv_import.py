"""Roster CSV import: parse, check each row, match existing entries, apply all at once."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime

from bot.i18n import Html, load_catalog, t
from bot.roster.invites import links_for_entries
from bot.roster.roles import audit_action, touches_secretariat
from storage.invites import InviteRepository
from storage.people import Language, Role
from storage.roster import EntryChange, RosterEntry, RosterRepository

__all__ = [
    "COLUMNS",
    "ImportPlan",
    "ImportReport",
    "RowProblem",
    "apply_plan",
    "decode_csv",
    "plain_problem",
    "plan_import",
    "render_problem",
]

COLUMNS = ("name", "unit", "role", "telegram_id", "language")
# Telegram user ids are positive and have at most 52 significant bits.
MAX_TELEGRAM_ID = 2**52 - 1
# telegram_id and language may be left out entirely, not only left empty.
REQUIRED_COLUMNS = ("name", "unit", "role")
MAX_NAME = 100
MAX_UNIT = 200
_ROLES = {
    "member": Role.MEMBER,
    "council": Role.COUNCIL,
    "secretariat": Role.SECRETARIAT,
    "会员": Role.MEMBER,
    "理事": Role.COUNCIL,
    "秘书处": Role.SECRETARIAT,
}
_LANGUAGES: dict[str, Language] = {
    "zh": "zh",
    "en": "en",
    "中文": "zh",
    "english": "en",
    "zh-cn": "zh",
    "zh-hans": "zh",
}


@dataclass(frozen=True)
class RowProblem:
    """Why a line was not imported: a catalog key `roster.csv_<key>` and its values."""

    line: int
    key: str
    values: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedRow:
    """A good row and what importing it does."""

    line: int
    change: EntryChange
    kind: str  # "new", "updated" or "unchanged"
    before: Role | None = None  # the entry's role before the import (None: a new entry)

    @property
    def touches_secretariat(self) -> bool:
        """The row makes someone secretariat or takes the secretariat's rights away."""
        return self.kind != "unchanged" and touches_secretariat(self.before, self.change.role)


@dataclass(frozen=True)
class ImportPlan:
    """What an import would do: good rows with their effect, bad rows with the reason."""

    rows: list[PlannedRow]
    problems: list[RowProblem]
    fatal: RowProblem | None = None

    def count(self, kind: str) -> int:
        """How many rows have this effect."""
        return sum(1 for row in self.rows if row.kind == kind)

    def secretariat_rows(self) -> list[PlannedRow]:
        """The rows that change who is secretariat: applied only once confirmed."""
        return [row for row in self.rows if row.touches_secretariat]

    def without_secretariat_changes(self) -> ImportPlan:
        """The plan with the rows that change who is secretariat held back."""
        return ImportPlan([r for r in self.rows if not r.touches_secretariat], self.problems)

    def summary(self) -> str:
        """The effect in figures, for the audit log."""
        return (
            f"new={self.count('new')} updated={self.count('updated')}"
            f" unchanged={self.count('unchanged')} rejected={len(self.problems)}"
        )


@dataclass(frozen=True)
class ImportReport:
    """The outcome: the plan applied, and an invite link for each entry not yet bound."""

    plan: ImportPlan
    links: list[tuple[str, str, Role, str]]  # name, unit, role, link


def decode_csv(content: bytes) -> str | None:
    """The text of an uploaded CSV (UTF-8 with or without BOM, or GB18030 as Excel saves it)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def render_problem(language: Language, problem: RowProblem) -> str:
    """One problem as a line for the reader."""
    reason = t(language, f"roster.csv_{problem.key}", **problem.values)
    if problem.line == 0:
        return reason
    return t(language, "roster.csv_line", line=problem.line, reason=Html(reason))


def plain_problem(problem: RowProblem) -> str:
    """One problem in English plain text, for the command line."""
    return load_catalog("en")[f"roster.csv_{problem.key}"].format(**problem.values)


def _parse_row(line: int, cells: dict[str, str]) -> EntryChange | RowProblem:
    name = " ".join(cells["name"].split())
    unit = " ".join(cells["unit"].split())
    if not name:
        return RowProblem(line, "no_name")
    if len(name) > MAX_NAME or len(unit) > MAX_UNIT:
        return RowProblem(line, "too_long", {"name": MAX_NAME, "unit": MAX_UNIT})
    role = _ROLES.get(cells["role"].strip().lower())
    if role is None:
        return RowProblem(line, "bad_role", {"value": cells["role"].strip()[:40]})
    raw_id = cells["telegram_id"].strip()
    if raw_id and not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) <= 16):
        return RowProblem(line, "bad_telegram_id", {"value": raw_id[:40]})
    if raw_id and not 0 < int(raw_id) <= MAX_TELEGRAM_ID:
        return RowProblem(line, "impossible_telegram_id", {"value": raw_id, "max": MAX_TELEGRAM_ID})
    raw_language = cells["language"].strip().lower()
    language = _LANGUAGES.get(raw_language) if raw_language else None
    if raw_language and language is None:
        return RowProblem(line, "bad_language", {"value": raw_language[:40]})
    return EntryChange(None, name, unit, role, int(raw_id) if raw_id else None, language)


def _rows(
    text: str,
) -> tuple[list[tuple[int, dict[str, str]]], list[RowProblem], RowProblem | None]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return [], [], RowProblem(0, "empty")
    names = [cell.strip().lower() for cell in header]
    missing = [column for column in REQUIRED_COLUMNS if column not in names]
    if missing:
        return [], [], RowProblem(0, "bad_header", {"missing": ", ".join(missing)})
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[RowProblem] = []
    while True:
        started = reader.line_num + 1  # an unbalanced quote is reported where its row starts
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            problems.append(RowProblem(started, "unreadable"))
            break
        line = started  # a row's number is the line it starts on, as a spreadsheet shows it
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(names) and reader.line_num > started and "\n" in cells[-1]:
            # A quote opened and never closed took in every line after it.
            problems.append(RowProblem(started, "unreadable"))
            break
        if len(cells) != len(names):
            problems.append(
                RowProblem(line, "columns", {"expected": len(names), "found": len(cells)})
            )
            continue
        row = dict(zip(names, cells, strict=True))
        for column in COLUMNS:
            row.setdefault(column, "")
        rows.append((line, row))
    return rows, problems, None


def plan_import(text: str, existing: list[RosterEntry]) -> ImportPlan:
    """Check every row and match it to an entry: by Telegram id, else by name and unit."""
    raw_rows, problems, fatal = _rows(text)
    if fatal is not None:
        return ImportPlan([], [], fatal)
    by_telegram = {entry.telegram_id: entry for entry in existing if entry.telegram_id}
    # A removed member (a guest with a unit, which only the roster gives) is the same person
    # again; a guest known only by a self-chosen Telegram name never is. Roster entries win.
    ranked = sorted(
        (entry for entry in existing if entry.role is not Role.GUEST or entry.unit),
        key=lambda entry: entry.role is not Role.GUEST,
    )
    by_name = {(entry.name.casefold(), entry.unit.casefold()): entry for entry in ranked}
    seen_telegram: dict[int, int] = {}
    seen_name: dict[tuple[str, str], int] = {}
    claimed: dict[int, int] = {}
    planned: list[PlannedRow] = []
    for line, cells in raw_rows:
        parsed = _parse_row(line, cells)
        if isinstance(parsed, RowProblem):
            problems.append(parsed)
            continue
        key = (parsed.name.casefold(), parsed.unit.casefold())
        if parsed.telegram_id is not None and parsed.telegram_id in seen_telegram:
            problems.append(
                RowProblem(
                    line, "duplicate_telegram_id", {"other": seen_telegram[parsed.telegram_id]}
                )
            )
            continue
        if key in seen_name:
            problems.append(RowProblem(line, "duplicate_name", {"other": seen_name[key]}))
            continue
        match = by_telegram.get(parsed.telegram_id) if parsed.telegram_id else None
        if match is None:
            match = by_name.get(key)
            if (
                match is not None
                and parsed.telegram_id is not None
                and match.telegram_id not in (None, parsed.telegram_id)
            ):
                problems.append(RowProblem(line, "bound_elsewhere", {"entry": match.id}))
                continue
        if match is not None and match.id in claimed:
            problems.append(RowProblem(line, "same_entry", {"other": claimed[match.id]}))
            continue
        if parsed.telegram_id is not None:
            seen_telegram[parsed.telegram_id] = line
        seen_name[key] = line
        planned.append(_plan_row(line, parsed, match))
        if match is not None:
            claimed[match.id] = line
    problems.sort(key=lambda problem: problem.line)
    return ImportPlan(planned, problems)


def secretariat_line(language: Language, row: PlannedRow) -> str:
    """What a row does to the secretariat, for the preview that asks to confirm it."""
    key = "grant" if row.change.role is Role.SECRETARIAT else "revoke"
    role = t(language, f"core.role_{row.change.role.value}")
    name = f"{row.change.name} ({row.change.unit or '—'})"
    return t(language, f"roster.csv_secretariat_{key}", line=row.line, name=name, role=role)


def _plan_row(line: int, parsed: EntryChange, match: RosterEntry | None) -> PlannedRow:
    if match is None:
        return PlannedRow(line, parsed, "new")
    change = EntryChange(
        match.id,
        parsed.name,
        parsed.unit,
        parsed.role,
        parsed.telegram_id if parsed.telegram_id is not None else match.telegram_id,
        parsed.language,
    )
    before = match.role
    same = (
        change.name == match.name
        and change.unit == match.unit
        and change.role is match.role
        and change.telegram_id == match.telegram_id
        # Someone on Telegram keeps their language (their own choice): the column fills gaps.
        and (
            change.language is None
            or change.language == match.language
            or (match.telegram_id is not None and match.language is not None)
        )
    )
    return PlannedRow(line, change, "unchanged" if same else "updated", before)


async def apply_plan(
    roster: RosterRepository,
    invites: InviteRepository,
    plan: ImportPlan,
    username: str,
    actor: int | None,
    now: datetime,
) -> ImportReport:
    """Write the good rows in one transaction, then make links for the entries not yet bound."""
    applied = [row for row in plan.rows if row.kind != "unchanged"]
    role_audits = [
        audit_action(row.before, row.change.role) if row.touches_secretariat else None
        for row in applied
    ]
    ids = await roster.apply_changes(
        [row.change for row in applied], actor, now, plan.summary(), role_audits
    )
    changed_ids = iter(ids)
    entries: list[tuple[int, EntryChange]] = []
    for row in plan.rows:
        person_id = row.change.id if row.kind == "unchanged" else next(changed_ids)
        assert person_id is not None
        entries.append((person_id, row.change))
    unbound = [(person_id, change) for person_id, change in entries if change.telegram_id is None]
    links = await links_for_entries(
        invites, [(person_id, change.role) for person_id, change in unbound], username, actor, now
    )
    return ImportReport(
        plan,
        [
            (change.name, change.unit, change.role, links[person_id])
            for person_id, change in unbound
        ],
    )
