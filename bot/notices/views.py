"""What the secretariat reads about notices: previews, the overview list, unreachable people."""

from __future__ import annotations

import html
import re
from zoneinfo import ZoneInfo

from bot.i18n import Html, format_datetime, t
from bot.notices.compose import TEXT_LIMIT
from bot.notices.recurrence import describe
from storage.notice_outbox import Unreachable
from storage.notice_receipts import Unconfirmed
from storage.notices import Notice
from storage.people import Language

__all__ = [
    "audience_lines",
    "detail_lines",
    "overview_lines",
    "plain",
    "preview_parts",
    "unconfirmed_lines",
    "unreachable_lines",
    "when_text",
]

_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """Telegram HTML as plain text."""
    return html.unescape(_TAG.sub("", text))


# A repeating notice in these states will be sent again: its next time is worth showing.
_REPEATING = frozenset({"draft", "pending_approval", "scheduled", "sending"})


def when_text(notice: Notice, timezone: ZoneInfo, language: Language) -> str:
    """`now`, the local due time, or the repetition in words with its next time."""
    if notice.recurrence:
        words = describe(notice.recurrence, language)
        if notice.status in ("cancelled", "rejected"):
            return t(language, "notices.when_repeat_stopped", words=words)
        if notice.due_at is None or notice.status not in _REPEATING:
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


def _language_label(notice: Notice) -> str:
    if notice.language:
        return notice.language
    if notice.text_zh and notice.text_en:
        return "any"
    return "only_zh" if notice.text_zh else "only_en"


def audience_lines(
    notice: Notice, audience: dict[str, tuple[int, int]], language: Language
) -> list[str]:
    """How many will receive it in each language, and a warning for each missing version."""
    people = {code: audience.get(code, (0, 0)) for code in ("zh", "en")}
    total = sum(count for count, _ in people.values())
    unreachable = sum(count - reachable for count, reachable in people.values())
    lines = [
        t(
            language,
            "notices.preview_count",
            total=total,
            zh=people["zh"][0],
            en=people["en"][0],
        )
    ]
    if unreachable:
        lines.append(t(language, "notices.preview_unreachable", n=unreachable))
    for code in ("zh", "en"):
        if people[code][0] and not getattr(notice, f"text_{code}"):
            lines.append(t(language, f"notices.preview_missing_{code}", n=people[code][0]))
    return lines


def _header(
    notice: Notice,
    timezone: ZoneInfo,
    language: Language,
    audience: dict[str, tuple[int, int]] | None,
    channel: str | None,
) -> str:
    if notice.kind in ("edit", "recall"):
        title = t(
            language, f"notices.preview_title_{notice.kind}", id=notice.id, parent=notice.parent_id
        )
        return title
    lines = [
        t(language, "notices.preview_title", id=notice.id),
        t(
            language,
            "notices.preview_audience",
            audience=t(language, f"notices.audience_{notice.audience}"),
            language=t(language, f"notices.lang_{_language_label(notice)}"),
            category=t(language, f"notices.category_{notice.category}"),
        ),
        t(language, "notices.preview_when", when=when_text(notice, timezone, language)),
    ]
    if audience is not None:
        lines.extend(audience_lines(notice, audience, language))
    lines.append(t(language, "notices.preview_ack_yes" if notice.ack else "notices.preview_ack_no"))
    if notice.channel and channel:
        lines.append(t(language, "notices.preview_channel", channel=channel))
    if notice.media_kind:
        lines.append(t(language, f"notices.preview_media_{notice.media_kind}"))
    return "\n".join(lines)


def preview_parts(
    notice: Notice,
    timezone: ZoneInfo,
    language: Language,
    audience: dict[str, tuple[int, int]] | None = None,
    channel: str | None = None,
) -> list[str]:
    """The preview as messages: versions first when too long for one, the header last.

    With `audience` (people per reading language), it says how many will receive it in each
    language and warns when one of those languages has no version.
    """
    versions = [
        t(language, f"notices.version_{code}", text=Html(text))
        for code, text in (("zh", notice.text_zh), ("en", notice.text_en))
        if text and notice.kind != "recall"
    ]
    header = _header(notice, timezone, language, audience, channel)
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


def detail_lines(
    notice: Notice,
    counts: dict[str, int],
    receipts: tuple[int, int] | None,
    actions: list[Notice],
    timezone: ZoneInfo,
    language: Language,
) -> list[str]:
    """`/notices ID`: status, outcomes, receipts, and the notice's follow-ups and corrections."""
    lines = [
        t(
            language,
            "notices.detail_title",
            id=notice.id,
            status=t(language, f"notices.status_{notice.status}"),
            when=when_text(notice, timezone, language),
        ),
        t(
            language,
            "notices.detail_counts",
            total=sum(counts.values()),
            delivered=counts.get("sent", 0),
            unconfirmed=counts.get("unconfirmed", 0),
            blocked=counts.get("blocked", 0),
            never_started=counts.get("never_started", 0),
            failed=counts.get("failed", 0),
            waiting=counts.get("pending", 0) + counts.get("sending", 0),
            cancelled=counts.get("cancelled", 0),
        ),
    ]
    if receipts is None:
        lines.append(t(language, "notices.detail_no_receipts"))
    else:
        confirmed, of = receipts
        lines.append(t(language, "notices.detail_receipts", confirmed=confirmed, of=of))
    for action in actions:
        lines.append(
            t(
                language,
                f"notices.detail_action_{action.kind}",
                id=action.id,
                status=t(language, f"notices.status_{action.status}"),
                total=action.total,
            )
        )
    return lines


def unconfirmed_lines(people: list[Unconfirmed], language: Language) -> list[str]:
    """`name — unit` for each member who has not confirmed."""
    return [
        t(language, "notices.unconfirmed_line", name=person.name, unit=person.unit or "—")
        for person in people
    ]
