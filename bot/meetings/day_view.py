"""What the secretariat's view says of the meeting day: present, walk-ins, proxies, minutes."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import Html, t
from bot.meetings.attendance import RoomCount
from storage.meeting_attendance import Presence, Proxy
from storage.people import Language

__all__ = ["day_lines", "local_clock"]


def local_clock(moment: datetime, tz: ZoneInfo) -> str:
    """`HH:MM` in the association's zone."""
    return moment.astimezone(tz).strftime("%H:%M")


def _person(presence: Presence, language: Language, tz: ZoneInfo) -> str:
    unit = t(language, "meetings.person_unit", unit=presence.unit) if presence.unit else ""
    name = presence.name or t(language, "meetings.person_unnamed")
    line = t(language, "meetings.person_line", name=name, unit=Html(unit), id=presence.person_id)
    how = "meeting_day.by_hand" if presence.recorded_by is not None else "meeting_day.self"
    return line + t(language, how, time=local_clock(presence.checked_in_at, tz))


def day_lines(
    room: RoomCount | None,
    proxies: list[Proxy],
    minutes: list[str],
    language: Language,
    tz: ZoneInfo,
) -> list[str]:
    """The present (with times), the walk-ins apart, who holds whose proxy, the minutes sent."""
    lines: list[str] = []
    if room is not None and room.present:
        lines += ["", t(language, "meeting_day.section_present", count=len(room.present))]
        lines += [_person(p, language, tz) for p in room.present]
    if room is not None and room.walk_ins:
        lines += ["", t(language, "meeting_day.section_walk_ins", count=len(room.walk_ins))]
        lines += [_person(p, language, tz) for p in room.walk_ins]
    if proxies:
        lines += ["", t(language, "meeting_day.section_proxies", count=len(proxies))]
        lines += [
            t(
                language,
                "meeting_day.proxy_line",
                giver=proxy.name,
                giver_id=proxy.person_id,
                holder=proxy.holder_name,
                holder_id=proxy.holder_id,
            )
            for proxy in proxies
        ]
    if minutes:
        lines += ["", t(language, "meeting_day.section_minutes", count=len(minutes)), *minutes]
    return lines
