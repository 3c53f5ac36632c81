"""The dashboard's texts: plain catalog strings (the templates escape them)."""

from __future__ import annotations

from typing import Any

from bot.i18n import format_message, load_catalog
from storage.people import Language

__all__ = ["text"]


def text(language: Language, key: str, /, **values: Any) -> str:
    """`dashboard.<key>` in `language`, values filled in without escaping (Jinja escapes)."""
    template = (
        load_catalog(language).get(f"dashboard.{key}") or load_catalog("en")[f"dashboard.{key}"]
    )
    return format_message(template, **values)
