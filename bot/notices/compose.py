"""Composing a notice: the one-line form's options, times and repetitions, formatted text."""

from __future__ import annotations

import calendar
import html
import re
import shlex
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from telegram import Message, MessageEntity

from bot.notices.recurrence import RecurrenceError, cron_for, next_occurrence, parse_cron
from bot.numbers import typed_number
from storage.notices import Audience, Category, MediaKind
from storage.people import Language

__all__ = [
    "AUDIENCES",
    "CAPTION_LIMIT",
    "CATEGORIES",
    "TEXT_LIMIT",
    "ComposeError",
    "Draft",
    "Part",
    "body_after_first_line",
    "language_of",
    "message_part",
    "one_of",
    "parse_options",
    "parse_when",
    "rendered_length",
    "split_versions",
    "text_start",
]

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
AUDIENCES: tuple[Audience, ...] = ("all", "council", "secretariat")
CATEGORIES: tuple[Category, ...] = ("official", "news")
LANGUAGES: tuple[Language, ...] = ("zh", "en")
MEDIA_KINDS: tuple[MediaKind, ...] = ("photo", "document")
W = TypeVar("W", bound=str)


def one_of(value: str | None, words: tuple[W, ...]) -> W | None:
    """The domain word `value` names, or None when it is none of `words`."""
    return next((word for word in words if word == value), None)


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_DAYS = {
    "mon": "mon",
    "tue": "tue",
    "wed": "wed",
    "thu": "thu",
    "fri": "fri",
    "sat": "sat",
    "sun": "sun",
    "周一": "mon",
    "周二": "tue",
    "周三": "wed",
    "周四": "thu",
    "周五": "fri",
    "周六": "sat",
    "周日": "sun",
}
_KINDS = {
    "daily": "daily",
    "每天": "daily",
    "weekly": "weekly",
    "每周": "weekly",
    "monthly": "monthly",
    "每月": "monthly",
}


class ComposeError(ValueError):
    """Input the notice cannot be built from; `key` names the catalog message to show."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class Part:
    """One language version as the author typed it: HTML, its plain length, attached media."""

    html: str
    length: int
    media_kind: MediaKind | None = None
    media_file_id: str | None = None


@dataclass(frozen=True)
class Draft:
    """Everything a notice needs before it is stored."""

    audience: Audience = "all"
    language: Language | None = None
    category: Category = "official"
    text_zh: str | None = None
    text_en: str | None = None
    media_kind: MediaKind | None = None
    media_file_id: str | None = None
    due_at: datetime | None = None
    recurrence: str | None = None
    ack: bool = False
    channel: bool = False

    def with_part(self, language: str, part: Part) -> Draft:
        """Add a language version (and its media if none yet)."""
        limit = CAPTION_LIMIT if (self.media_kind or part.media_kind) else TEXT_LIMIT
        length = rendered_length(part.html)
        if length > limit:
            raise ComposeError("notices.too_long", limit=limit, length=length)
        if not part.html.strip() and not part.media_kind:
            raise ComposeError("notices.text_missing")
        if language == "zh":
            draft = replace(self, text_zh=part.html)
        else:
            draft = replace(self, text_en=part.html)
        if part.media_kind and not draft.media_kind:
            draft = replace(draft, media_kind=part.media_kind, media_file_id=part.media_file_id)
        return draft


def language_of(text: str) -> str:
    """`zh` when the text is mostly Chinese characters, else `en`."""
    return "zh" if len(_CJK.findall(text)) >= len(_LATIN.findall(text)) / 4 else "en"


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_TAG = re.compile(r"<[^>]*>")


def rendered_length(text_html: str) -> int:
    """How long Telegram counts a formatted text: the shown characters, in UTF-16 units.

    (The message limits, 4096 for a text and 1024 for a caption, count this way: an emoji
    outside the basic plane counts twice.)
    """
    return _utf16(html.unescape(_TAG.sub("", text_html)))


def message_part(message: Message) -> Part:
    """A whole message (text, or photo/document with caption) as one version."""
    if message.photo:
        return Part(
            message.caption_html or "",
            len(message.caption or ""),
            "photo",
            message.photo[-1].file_id,
        )
    if message.document:
        return Part(
            message.caption_html or "",
            len(message.caption or ""),
            "document",
            message.document.file_id,
        )
    return Part(message.text_html or "", len(message.text or ""))


# `/notice ID edit` and `/notice ID recall` take the text after them like options do.
_COMMAND = re.compile(r"\s*/notice(?:@\w+)?(?:\s+#?\d{1,12}\s+(?:edit|recall)(?=\s|$))?", re.I)
_OPTION = re.compile(r"""\s+[^\s"'=]+=(?:"[^"]*"|'[^']*'|[^\s"']+)*(?=\s|$)""")
# `at=2026-12-05 09:00` unquoted, as the time hint writes it: the time belongs to the option.
_AT_WITH_SPACE = re.compile(r"\s+at=\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(?=\s|$)")
_DATE_ONLY = re.compile(r"at=\d{4}-\d{1,2}-\d{1,2}")
_CLOCK = re.compile(r"\d{1,2}:\d{2}")


def text_start(line: str) -> int:
    """Where the notice text starts on the command's line (the line's length if it has none).

    The options (`name=value`, quoted values included) come first; the first word without
    `=` after them starts the text. A word with `=` there is a mistyped option, left to
    `parse_options` to report.
    """
    command = _COMMAND.match(line)
    position = command.end() if command else 0
    while option := _AT_WITH_SPACE.match(line, position) or _OPTION.match(line, position):
        position = option.end()
    rest = line[position:]
    words = rest.split(maxsplit=1)
    if not words or "=" in words[0]:
        return len(line)
    return position + len(rest) - len(rest.lstrip())


def body_after_first_line(message: Message) -> tuple[str, Part]:
    """Split a one-line command (text or caption) into its options and the formatted text.

    The text is what follows the options on the first line, if anything, then every line
    below it.
    """
    text = message.text or message.caption or ""
    entities = message.entities if message.text else message.caption_entities
    first, newline, below = text.partition("\n")
    start = text_start(first)
    head = first[:start].rstrip()
    body = first[start:] + newline + below if start < len(first) else below
    offset = _utf16(text[: len(text) - len(body)])
    shifted = [
        MessageEntity.de_json({**entity.to_dict(), "offset": entity.offset - offset}, None)
        for entity in entities
        if entity.offset >= offset
    ]
    html = (
        Message(
            message.message_id,
            message.date,
            message.chat,
            text=body,
            entities=[e for e in shifted if e is not None],
        ).text_html
        if body
        else ""
    )
    if message.photo:
        return head, Part(html, len(body), "photo", message.photo[-1].file_id)
    if message.document:
        return head, Part(html, len(body), "document", message.document.file_id)
    return head, Part(html, len(body))


def split_versions(part: Part, language: str | None) -> dict[str, Part]:
    """A body holding a `---` line gives two versions (one zh, one en); else one."""
    pieces = re.split(r"\n-{3,}\n", part.html.strip(), maxsplit=1)
    if len(pieces) == 1:
        return {language or language_of(part.html): part}
    first, second = (piece.strip() for piece in pieces)
    first_language = language_of(first)
    second_language = "en" if first_language == "zh" else "zh"
    ratio = len(first) / max(len(part.html), 1)
    return {
        first_language: Part(first, int(part.length * ratio), part.media_kind, part.media_file_id),
        second_language: Part(second, part.length - int(part.length * ratio)),
    }


def parse_options(head: str, timezone: ZoneInfo, now: datetime) -> Draft:
    """Read `audience= lang= at= category= repeat= cron=` from the command's first line."""
    try:
        tokens = _join_at_time(shlex.split(head)[1:])
    except ValueError:
        raise ComposeError("notices.bad_option", option=head) from None
    options: dict[str, str] = {}
    for token in tokens:
        name, sep, value = token.partition("=")
        if not sep or name not in _OPTION_NAMES:
            raise ComposeError("notices.bad_option", option=token)
        options[name] = value.strip()
    audience = one_of(options.get("audience", "all"), AUDIENCES)
    category = one_of(options.get("category", "official"), CATEGORIES)
    language = one_of(options.get("lang"), LANGUAGES)
    if audience is None or category is None or (language is None and "lang" in options):
        raise ComposeError("notices.bad_option", option=" ".join(tokens))
    flags = {name: _YES_NO.get(options.get(name, "no").lower()) for name in ("ack", "channel")}
    for name, flag in flags.items():
        if flag is None:
            raise ComposeError("notices.bad_option", option=f"{name}={options[name]}")
    due = _parse_moment(options["at"], timezone, now) if "at" in options else None
    recurrence = None
    if "cron" in options:
        recurrence = _cron(options["cron"], timezone)
        due = due or next_occurrence(recurrence, now, timezone)
    elif "repeat" in options:
        kind = _KINDS.get(options["repeat"])
        if kind is None or due is None:
            raise ComposeError("notices.bad_repeat")
        recurrence = cron_for(kind, due, timezone)
    return Draft(
        audience=audience,
        language=language,
        category=category,
        due_at=due,
        recurrence=recurrence,
        ack=bool(flags["ack"]),
        channel=bool(flags["channel"]),
    )


_OPTION_NAMES = {"audience", "lang", "at", "category", "repeat", "cron", "ack", "channel"}
_YES_NO = {"yes": True, "no": False, "是": True, "否": False}


def _join_at_time(tokens: list[str]) -> list[str]:
    """`at=2026-12-05` followed by `09:00` is one option, as the time hint writes it."""
    joined: list[str] = []
    for token in tokens:
        if joined and _CLOCK.fullmatch(token) and _DATE_ONLY.fullmatch(joined[-1]):
            joined[-1] += " " + token
        else:
            joined.append(token)
    return joined


def parse_when(text: str, timezone: ZoneInfo, now: datetime) -> tuple[datetime | None, str | None]:
    """Read `now`, a time, `daily HH:MM`, `weekly mon HH:MM`, `monthly 1 HH:MM` or `cron ...`
    (and the Chinese `每天 HH:MM`, `每周一 HH:MM`, `每月1日 HH:MM`)."""
    words = _chinese_schedule(text).split()
    if not words:
        raise ComposeError("notices.bad_when")
    first = words[0].lower()
    if first in {"now", "现在", "立即"} and len(words) == 1:
        return None, None
    if first == "cron":
        cron = _cron(" ".join(words[1:]), timezone)
        return next_occurrence(cron, now, timezone), cron
    kind = _KINDS.get(first)
    if kind is None:
        if not _MOMENT.fullmatch(" ".join(words)):
            raise ComposeError("notices.bad_when")
        return _parse_moment(" ".join(words), timezone, now), None
    clock = _clock(words[-1]) if len(words) >= 2 else None
    if clock is None:
        raise ComposeError("notices.bad_when")
    if kind == "daily" and len(words) == 2:
        cron = f"{clock.minute} {clock.hour} * * *"
    elif kind == "weekly" and len(words) == 3:
        day = _DAYS.get(words[1].lower()[:3]) or _DAYS.get(words[1])
        if day is None:
            raise ComposeError("notices.bad_when")
        cron = f"{clock.minute} {clock.hour} * * {day}"
    elif kind == "monthly" and len(words) == 3 and (date := typed_number(words[1], high=31)):
        cron = f"{clock.minute} {clock.hour} {date} * *"
    else:
        raise ComposeError("notices.bad_when")
    return next_occurrence(cron, now, timezone), cron


def _chinese_schedule(text: str) -> str:
    """A Chinese schedule as typed (`每周一 9:00`, `每月1号 9：00`) in the words read above."""
    text = text.strip().replace("：", ":")
    text = re.sub(r"^每日", "每天", text)
    text = re.sub(r"^每(?:星期|礼拜)", "每周", text)
    text = re.sub(r"^每周\s*(?:周|星期)?([一二三四五六日天])", r"每周 周\1 ", text)
    text = re.sub(r"^每月\s*(\d{1,2})\s*[日号]?", r"每月 \1 ", text)
    return re.sub(r"^每天(?=\d)", "每天 ", text).replace("周天", "周日")


def _cron(expression: str, timezone: ZoneInfo) -> str:
    try:
        return parse_cron(expression, timezone)
    except RecurrenceError:
        shown = expression if len(expression) <= 60 else expression[:60] + "…"
        raise ComposeError("notices.bad_cron", cron=shown) from None


def _clock(text: str) -> time | None:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return time(int(match.group(1)), int(match.group(2)))


_MOMENT = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})")


def _parse_moment(text: str, timezone: ZoneInfo, now: datetime) -> datetime:
    """A local `YYYY-MM-DD HH:MM` (or with `T`) in the association's zone, not in the past.

    A wrong time says which part is wrong: the format, a month or day that does not exist
    (2026-02-30), an hour or minute out of range, or a moment already past.
    """
    match = _MOMENT.fullmatch(text.strip())
    if not match:
        raise ComposeError("notices.bad_time_format", text=text.strip())
    year, month, day, hour, minute = (int(group) for group in match.groups())
    if not 1 <= month <= 12:
        raise ComposeError("notices.no_such_month", text=text.strip(), month=month)
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise ComposeError(
            "notices.no_such_day", text=text.strip(), year=year, month=month, days=days
        )
    if hour > 23 or minute > 59:
        raise ComposeError("notices.no_such_time", text=text.strip())
    local = datetime(year, month, day, hour, minute, tzinfo=timezone)
    if local < now - timedelta(minutes=1):
        raise ComposeError(
            "notices.in_the_past",
            text=text.strip(),
            now=now.astimezone(timezone).strftime("%Y-%m-%d %H:%M"),
        )
    return local.astimezone(now.tzinfo)
