"""/mydata in plain words: what the bot holds about a person, labelled in their language."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.i18n import format_date, load_catalog, t
from storage.people import Language

__all__ = ["personal_data_summary"]

# The document's own sections (storage/privacy.py and the registered features), then the
# other tables' rows by table; a table without a label of its own is counted as "other".
_SECTIONS = ("applications", "invitations", "questions_to_secretariat", "audit_log")


def _entry_lines(entry: dict[str, Any], language: Language, timezone: ZoneInfo) -> list[str]:
    """Name, unit, role, language, Telegram account, news, on the roster since."""
    role = str(entry.get("role") or "guest")
    chosen = entry.get("language")
    news = entry.get("news_enabled", True)
    lines = [
        t(language, "mydata.name", value=entry.get("name") or t(language, "mydata.none")),
        t(language, "mydata.unit", value=entry.get("unit") or t(language, "mydata.none")),
        t(language, "mydata.role", value=t(language, f"core.role_{role}")),
        t(
            language,
            "mydata.language",
            value=t(language, f"mydata.language_{chosen}")
            if chosen in ("zh", "en")
            else t(language, "mydata.language_app"),
        ),
        t(
            language,
            "mydata.telegram",
            value=t(language, "mydata.linked" if entry.get("telegram_id") else "mydata.not_linked"),
        ),
        t(language, "mydata.news", value=t(language, "roster.on" if news else "roster.off")),
    ]
    created = entry.get("created_at")
    if created:
        since = datetime.fromisoformat(str(created))
        lines.append(t(language, "mydata.since", value=format_date(since, timezone, language)))
    return lines


def personal_data_summary(document: dict[str, Any], language: Language, timezone: ZoneInfo) -> str:
    """The /mydata message: the entry's fields and how many records of each kind are held."""
    lines = [t(language, "mydata.title")]
    lines.extend(_entry_lines(document.get("entry") or {}, language, timezone))
    counts: list[str] = []
    for section in _SECTIONS:
        rows = document.get(section) or []
        if rows:
            counts.append(t(language, f"mydata.count_{section}", n=len(rows)))
    other = 0
    for table, rows in (document.get("other_records") or {}).items():
        key = f"mydata.count_table_{table}"
        if key in load_catalog(language):
            counts.append(t(language, key, n=len(rows)))
        else:
            other += len(rows)
    if other:
        counts.append(t(language, "mydata.count_other", n=other))
    lines.append("")
    lines.append(t(language, "mydata.records") if counts else t(language, "mydata.no_records"))
    lines.extend(f"• {line}" for line in counts)
    lines.append("")
    lines.append(t(language, "mydata.file"))
    return "\n".join(lines)
