"""What the secretariat reads about notices: previews, the overview list, unreachable people."""

from __future__ import annotations

import html
import re
from zoneinfo import ZoneInfo

from bot.i18n import Html, format_datetime, t
from bot.notices.compose import TEXT_LIMIT
from bot.notices.recurrence import describe
from storage.notices import Notice, Unreachable
from storage.people import Language

__all__ = ["overview_lines", "plain", "preview_parts", "unreachable_lines", "when_text"]

_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Telegram HTML as plain text."""
    return html.unescape(_TAG.sub("", text))


def when_text(notice: Notice, timezone: ZoneInfo, language: Language) -> str:
    """`now`, the local due time, or the repetition in words with its next time."""
    if notice.recurrence:
        words = describe(notice.recurrence, language)
        if notice.due_at is None:
            return words
        return t(
            language,
            "notices.when_repeat",
            words=words,
            next=format_datetime(notice.due_at, timezone, language),
        )
    if notice.due_at is None:
        return t(language, "notices.when_now")
    return format_datetime(notice.due_at, timezone, language)


def _header(notice: Notice, timezone: ZoneInfo, language: Language) -> str:
    lines = [
        t(language, "notices.preview_title", id=notice.id),
        t(
            language,
            "notices.preview_audience",
            audience=t(language, f"notices.audience_{notice.audience}"),
            language=t(language, f"notices.lang_{notice.language or 'any'}"),
            category=t(language, f"notices.category_{notice.category}"),
        ),
        t(language, "notices.preview_when", when=when_text(notice, timezone, language)),
    ]
    if notice.media_kind:
        lines.append(t(language, f"notices.preview_media_{notice.media_kind}"))
    return "\n".join(lines)


def preview_parts(notice: Notice, timezone: ZoneInfo, language: Language) -> list[str]:
    """The preview as messages: versions first when too long for one, the header last."""
    versions = [
        t(language, f"notices.version_{code}", text=Html(text))
        for code, text in (("zh", notice.text_zh), ("en", notice.text_en))
        if text
    ]
    header = _header(notice, timezone, language)
    whole = "\n\n".join([header, *versions])
    if len(whole) <= TEXT_LIMIT:
        return [whole]
    return [*versions, header]


def overview_lines(
    notices: list[Notice],
    progress: dict[int, tuple[int, int]],
    timezone: ZoneInfo,
    language: Language,
) -> list[str]:
    """One line per notice: id, status, time, audience and the start of its text."""
    lines = []
    for notice in notices:
        snippet = plain(notice.text_for(language)).replace("\n", " ")
        status = t(language, f"notices.status_{notice.status}")
        if notice.id in progress:
            done, total = progress[notice.id]
            status += f" {done}/{total}"
        lines.append(
            t(
                language,
                "notices.overview_line",
                id=notice.id,
                status=status,
                when=when_text(notice, timezone, language),
                audience=t(language, f"notices.audience_{notice.audience}"),
                snippet=snippet[:40] + ("…" if len(snippet) > 40 else ""),
            )
        )
    return lines


def unreachable_lines(people: list[Unreachable], language: Language) -> list[str]:
    """`name — unit (why)` for each person to phone."""
    return [
        t(
            language,
            "notices.unreachable_line",
            name=person.name or "?",
            unit=person.unit or "—",
            why=t(language, f"notices.why_{person.state}"),
        )
        for person in people
    ]
