"""Recurring notices: cron expressions (standard five fields), next occurrence, and words."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]

from bot.i18n import t
from storage.people import Language

__all__ = [
    "RecurrenceError",
    "cron_for",
    "describe",
    "next_occurrence",
    "parse_cron",
]

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_FIELD = re.compile(r"^[\w*/,\-]{1,40}$", re.ASCII)


class RecurrenceError(ValueError):
    """A repetition the bot cannot understand."""


def cron_for(kind: str, first: datetime, timezone: ZoneInfo) -> str:
    """The cron expression of `daily`, `weekly` or `monthly` starting at `first` (aware)."""
    local = first.astimezone(timezone)
    if kind == "daily":
        return f"{local.minute} {local.hour} * * *"
    if kind == "weekly":
        return f"{local.minute} {local.hour} * * {_DAY_NAMES[(local.weekday() + 1) % 7]}"
    if kind == "monthly":
        return f"{local.minute} {local.hour} {local.day} * *"
    raise RecurrenceError(kind)


def parse_cron(expression: str, timezone: ZoneInfo) -> str:
    """Validate a five-field cron expression (0 or 7 = Sunday) and return it normalised."""
    fields = expression.split()
    if len(fields) != 5 or not all(_FIELD.match(field) for field in fields):
        raise RecurrenceError(expression)
    fields[4] = _day_names(fields[4].lower())
    normalised = " ".join(fields)
    try:
        _trigger(normalised, timezone)
    except ValueError as error:
        raise RecurrenceError(expression) from error
    return normalised


def _day_names(field: str) -> str:
    """Rewrite numeric days of the week (cron's 0/7 = Sunday) as names APScheduler reads alike."""
    if field == "*" or "/" in field:
        return field
    names: list[str] = []
    for part in field.split(","):
        low, _, high = part.partition("-")
        if not high:
            names.append(_name(low))
            continue
        if low.isdigit() and high.isdigit():
            start, end = int(low), int(high)
            if start > end or end > 7:
                raise RecurrenceError(field)
            names.extend(_DAY_NAMES[day % 7] for day in range(start, end + 1))
        else:
            names.append(f"{_name(low)}-{_name(high)}")
    return ",".join(dict.fromkeys(names))


def _name(token: str) -> str:
    if token.isdigit():
        if int(token) > 7:
            raise RecurrenceError(token)
        return _DAY_NAMES[int(token) % 7]
    if token[:3] not in _DAY_NAMES:
        raise RecurrenceError(token)
    return token[:3]


def _trigger(expression: str, timezone: ZoneInfo) -> CronTrigger:
    return CronTrigger.from_crontab(expression, timezone=timezone)


def next_occurrence(expression: str, after: datetime, timezone: ZoneInfo) -> datetime | None:
    """The first occurrence strictly after `after` (aware), or None if there is none."""
    trigger = _trigger(expression, timezone)
    start = after + timedelta(seconds=1)
    moment = trigger.get_next_fire_time(None, start.astimezone(timezone))
    return None if moment is None else moment.astimezone(after.tzinfo)


def describe(expression: str, language: Language) -> str:
    """Say a cron expression in words, e.g. `every Monday at 09:00`."""
    minute, hour, day, month, weekday = expression.split()
    if minute.isdigit() and hour.isdigit():
        when = t(language, "notices.cron_at", time=f"{int(hour):02d}:{int(minute):02d}")
    elif minute.isdigit() and hour == "*":
        when = t(language, "notices.cron_hourly", minute=minute)
    else:
        when = t(language, "notices.cron_times", minute=minute, hour=hour)
    if day == "*" and weekday == "*":
        days = t(language, "notices.cron_every_day")
    elif weekday != "*":
        days = t(language, "notices.cron_weekdays", days=_list(weekday, language))
    else:
        days = t(language, "notices.cron_monthdays", days=day)
    if month != "*":
        days += t(language, "notices.cron_months", months=month)
    return t(language, "notices.cron_words", days=days, when=when)


def _list(weekday: str, language: Language) -> str:
    parts = []
    for part in weekday.split(","):
        names = [
            t(language, f"notices.day_{name}") if name in _DAY_NAMES else name
            for name in part.split("-")
        ]
        parts.append(
            t(language, "notices.cron_range", start=names[0], end=names[1])
            if len(names) == 2
            else names[0]
        )
    return t(language, "notices.list_separator").join(parts)
