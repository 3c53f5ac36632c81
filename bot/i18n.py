"""Translations: the zh and en catalogs, HTML-safe formatting, and locale-aware dates."""

from __future__ import annotations

import html
import string
import tomllib
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton, format_time

from storage.people import Language

__all__ = [
    "LANGUAGES",
    "Html",
    "example_dates",
    "format_date",
    "format_datetime",
    "format_message",
    "language_from_hint",
    "load_catalog",
    "placeholders",
    "t",
]

LANGUAGES: tuple[Language, ...] = ("zh", "en")
LOCALES_DIR = Path(__file__).parent / "locales"
_BABEL_LOCALES = {"zh": "zh_Hans_CN", "en": "en_GB"}


class _Messages(string.Formatter):
    """`str.format` plus one spec for English plurals: `{n:plural:person:people}`."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        if format_spec.startswith("plural:"):
            _, singular, plural = format_spec.split(":", 2)
            return singular if value == 1 else plural
        return super().format_field(value, format_spec)


_MESSAGES = _Messages()


def format_message(template: str, /, **values: Any) -> str:
    """Fill a catalog message in (`{n:plural:one:many}` picks the word for the count)."""
    return _MESSAGES.vformat(template, (), values)


class Html(str):
    """Text that is already HTML and must not be escaped again."""

    __slots__ = ()


@cache
def load_catalog(language: Language) -> dict[str, str]:
    """Return every message of `language` keyed `<file stem>.<key>`."""
    catalog: dict[str, str] = {}
    for path in sorted((LOCALES_DIR / language).glob("*.toml")):
        with path.open("rb") as file:
            for key, value in tomllib.load(file).items():
                if not isinstance(value, str):
                    raise ValueError(f"{path}: {key} is not a string")
                catalog[f"{path.stem}.{key}"] = value
    return catalog


def placeholders(template: str) -> set[str]:
    """Return the names of the `{placeholders}` in a message."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def t(language: Language, key: str, /, **values: Any) -> str:
    """Return message `key` in `language` with `values` filled in, HTML-escaped unless `Html`."""
    template = load_catalog(language).get(key) or load_catalog("en")[key]
    safe = {
        name: value if isinstance(value, Html) or not isinstance(value, str) else html.escape(value)
        for name, value in values.items()
    }
    return format_message(template, **safe)


def language_from_hint(language_code: str | None) -> Language:
    """Guess a language from Telegram's `language_code` (a hint only): zh* is zh, else en."""
    return "zh" if language_code and language_code.lower().startswith("zh") else "en"


def format_datetime(moment: datetime, timezone: ZoneInfo, language: Language) -> str:
    """Show an aware datetime in the association's zone and the reader's locale."""
    local = moment.astimezone(timezone)
    locale = _BABEL_LOCALES[language]
    day = format_skeleton("yMMMEd", local, locale=locale)
    return f"{day} {format_time(local, 'HH:mm', locale=locale)}"


def example_dates(now: datetime, timezone: ZoneInfo) -> dict[str, str]:
    """Dates for usage examples, about a week from today, so an example is never in the past.

    `example_day` (today + 7), `example_day_before` (+ 6) and `example_next_day` (+ 8), each
    `YYYY-MM-DD` in the association's zone.
    """
    today = now.astimezone(timezone).date()
    return {
        "example_day": (today + timedelta(days=7)).isoformat(),
        "example_day_before": (today + timedelta(days=6)).isoformat(),
        "example_next_day": (today + timedelta(days=8)).isoformat(),
    }


def format_date(moment: datetime, timezone: ZoneInfo, language: Language) -> str:
    """Show the date of an aware datetime in the association's zone and the reader's locale."""
    local = moment.astimezone(timezone)
    return format_skeleton("yMMMEd", local, locale=_BABEL_LOCALES[language])
