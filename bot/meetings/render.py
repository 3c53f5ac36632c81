"""What meeting messages say: invitations, keyboards, previews and the secretariat's view."""

from __future__ import annotations

import html
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageEntityDateTimeFormats

from bot.i18n import Html, t
from bot.i18n import format_datetime as _format_datetime
from bot.meetings.attendance import RoomCount
from bot.meetings.rules import Tally, paginate, rsvp_data
from storage.meetings import Invitee, Meeting, NewMeeting, Response
from storage.people import Language

__all__ = [
    "answer_name",
    "invitation_keyboard",
    "invitation_text",
    "local_time",
    "meeting_pages",
    "preview_text",
    "summary_keyboard",
    "summary_text",
]

_LOCAL_FORMAT = MessageEntityDateTimeFormats.LOCALIZED_WEEKDAY_LONG_DATE_SHORT_TIME.value


@lru_cache(maxsize=1024)
def format_datetime(moment: datetime, tz: ZoneInfo, language: Language) -> str:
    """`bot.i18n.format_datetime`, remembered (Babel is slow and meetings repeat their times)."""
    return _format_datetime(moment, tz, language)


def local_time(moment: datetime, tz: ZoneInfo, language: Language) -> Html:
    """The time in the association's zone, as a Telegram date-time entity.

    The text keeps the association's time; each reader's app shows the moment in their own
    time zone and locale (Bot API 9.5 `date_time` entity, `<tg-time>` in HTML).
    """
    text = html.escape(format_datetime(moment, tz, language))
    return Html(
        f'<tg-time unix="{int(moment.timestamp())}" format="{_LOCAL_FORMAT}">{text}</tg-time>'
    )


def answer_name(language: Language, response: Response | None) -> str:
    """The answer as the reader calls it."""
    return t(language, f"meetings.answer_{response or 'none'}")


def _details(meeting: Meeting | NewMeeting, language: Language, tz: ZoneInfo) -> list[str]:
    lines = [
        t(language, "meetings.line_when", when=local_time(meeting.starts_at, tz, language)),
        t(language, "meetings.line_place", place=meeting.place),
    ]
    if meeting.agenda:
        lines.append(t(language, "meetings.line_agenda", agenda=meeting.agenda))
    lines.append(
        t(
            language,
            "meetings.line_deadline",
            deadline=local_time(meeting.deadline, tz, language),
        )
    )
    return lines


def preview_text(
    new: NewMeeting, meeting_id: int, invited: int, unbound: int, language: Language, tz: ZoneInfo
) -> str:
    """The preview shown before Confirm."""
    lines = [t(language, "meetings.preview_title", id=meeting_id, title=new.title)]
    lines += _details(new, language, tz)
    lines.append(t(language, f"meetings.audience_{new.audience}"))
    if new.capacity:
        lines.append(t(language, "meetings.line_capacity", capacity=new.capacity))
    if new.quorum:
        lines.append(t(language, "meetings.line_quorum_option", quorum=new.quorum))
    if new.proxies:
        lines.append(t(language, "meeting_day.line_proxies", proxies=new.proxies))
    lines.append(t(language, "meetings.preview_invited", invited=invited, unbound=unbound))
    return "\n".join(lines)


def invitation_text(
    meeting: Meeting,
    invitee: Invitee,
    language: Language,
    tz: ZoneInfo,
    now: datetime,
    *,
    waitlist_position: int | None = None,
    header: str | None = None,
) -> str:
    """A personal invitation with the person's current answer."""
    lines = [header] if header else []
    lines.append(t(language, "meetings.invitation_title", id=meeting.id, title=meeting.title))
    lines += _details(meeting, language, tz)
    lines.append(
        t(language, "meetings.your_answer", answer=answer_name(language, invitee.response))
    )
    if waitlist_position is not None:
        lines.append(t(language, "meetings.waitlisted", position=waitlist_position))
    if invitee.response == "no" and invitee.note:
        lines.append(t(language, "meetings.your_reason", reason=invitee.note))
    if meeting.status == "cancelled":
        lines.append(t(language, "meetings.invitation_cancelled"))
    elif now >= meeting.deadline:
        lines.append(t(language, "meetings.answers_closed"))
    return "\n".join(lines)


def invitation_keyboard(
    meeting: Meeting, language: Language, current: Response, now: datetime
) -> InlineKeyboardMarkup:
    """Yes / No / Maybe (the current answer ticked) and the calendar file; closed: calendar only."""
    answerable = meeting.status == "open" and now < meeting.deadline
    return _keyboard(meeting.id, meeting.version, language, current, answerable)


@lru_cache(maxsize=4096)
def _keyboard(
    meeting_id: int, version: int, language: Language, current: Response, answerable: bool
) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    if answerable:
        row = []
        for response in ("yes", "no", "maybe"):
            label = t(language, f"meetings.button_{response}")
            if response == current:
                label = f"✓ {label}"
            data = rsvp_data(meeting_id, version, response)
            row.append(InlineKeyboardButton(label, callback_data=data))
        rows.append(row)
    label = t(language, "meetings.button_ics")
    rows.append([InlineKeyboardButton(label, callback_data=f"ics:{meeting_id}")])
    return InlineKeyboardMarkup(rows)


def room_line(room: RoomCount, language: Language) -> str:
    """ "Present 12 + 2 proxies = 14 of 21; quorum 14 reached" (proxies only where allowed)."""
    values: dict[str, object] = {
        "present": len(room.present),
        "proxies": room.proxies_counted,
        "total": room.total,
        "invited": room.invited,
    }
    key = "meeting_day.room_with_proxies" if room.proxies_allowed else "meeting_day.room"
    line = t(language, key, **values)
    if room.required is not None:
        outcome = "reached" if room.quorate else "not_reached"
        line += t(language, f"meeting_day.room_quorum_{outcome}", required=room.required)
    if room.walk_ins:
        line += "\n" + t(language, "meeting_day.room_walk_ins", count=len(room.walk_ins))
    return line


def summary_text(
    meeting: Meeting,
    tally: Tally,
    language: Language,
    tz: ZoneInfo,
    room: RoomCount | None = None,
) -> str:
    """Counts per answer and the quorum line, and on the day the room (fits one message)."""
    key = (
        "meetings.summary_cancelled" if meeting.status == "cancelled" else "meetings.summary_title"
    )
    lines = [
        t(language, key, id=meeting.id, title=meeting.title),
        t(
            language,
            "meetings.summary_when",
            when=format_datetime(meeting.starts_at, tz, language),
            place=meeting.place,
        ),
        t(
            language,
            "meetings.summary_counts",
            yes=len(tally.yes),
            no=len(tally.no),
            maybe=len(tally.maybe),
            none=len(tally.none) + len(tally.unreachable),
            invited=tally.invited,
        ),
    ]
    if tally.unreachable:
        lines.append(t(language, "meetings.summary_unreachable", count=len(tally.unreachable)))
    if meeting.capacity:
        lines.append(
            t(
                language,
                "meetings.summary_capacity",
                capacity=meeting.capacity,
                waitlist=len(tally.waitlist),
            )
        )
    if tally.required is not None and tally.quorum is not None:
        mark = "✅" if tally.quorate else "⚠️"
        lines.append(
            t(
                language,
                "meetings.quorum_line",
                mark=mark,
                expected=tally.expected,
                required=tally.required,
                fraction=f"{tally.quorum.numerator}/{tally.quorum.denominator}",
                maybe=len(tally.maybe),
            )
        )
    if room is not None:
        lines.append(room_line(room, language))
    return "\n".join(lines)


def summary_keyboard(meeting: Meeting, language: Language) -> InlineKeyboardMarkup:
    """The button under the summary that opens the full list."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, "meetings.button_details"), callback_data=f"mtgpage:{meeting.id}:0"
                )
            ]
        ]
    )


def _person_line(invitee: Invitee, language: Language, extra: str = "") -> str:
    unit = t(language, "meetings.person_unit", unit=invitee.unit) if invitee.unit else ""
    name = invitee.name or t(language, "meetings.person_unnamed")
    line = t(language, "meetings.person_line", name=name, unit=Html(unit), id=invitee.person_id)
    return f"{line}{extra}"


def meeting_pages(
    meeting: Meeting,
    tally: Tally,
    language: Language,
    tz: ZoneInfo,
    room: RoomCount | None = None,
    extra: list[str] | None = None,
) -> list[str]:
    """The secretariat's full view, split into pages under Telegram's limit.

    `extra` are lines of the meeting day (present, walk-ins, proxies, minutes) put first.
    """
    header = summary_text(meeting, tally, language, tz, room)
    lines: list[str] = list(extra or [])

    def section(key: str, people: list[Invitee], extra: list[str] | None = None) -> None:
        if not people:
            return
        lines.append("")
        lines.append(t(language, key, count=len(people)))
        for index, invitee in enumerate(people):
            lines.append(_person_line(invitee, language, extra[index] if extra else ""))

    def previous(invitee: Invitee) -> str:
        if not invitee.previous_response:
            return ""
        return t(
            language,
            "meetings.previous_answer",
            answer=answer_name(language, invitee.previous_response),
        )

    section("meetings.section_yes", tally.yes)
    section(
        "meetings.section_waitlist",
        tally.waitlist,
        [
            t(language, "meetings.waitlist_position", position=n)
            for n in range(1, len(tally.waitlist) + 1)
        ],
    )
    section("meetings.section_maybe", tally.maybe)
    section(
        "meetings.section_no",
        tally.no,
        [t(language, "meetings.reason", reason=i.note) if i.note else "" for i in tally.no],
    )
    section("meetings.section_none", tally.none, [previous(i) for i in tally.none])
    section(
        "meetings.section_unreachable", tally.unreachable, [previous(i) for i in tally.unreachable]
    )
    return paginate(header, lines)
