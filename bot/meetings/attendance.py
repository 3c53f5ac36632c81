"""Meeting-day rules: the check-in link and its window, and the quorum as it stands in the room."""

from __future__ import annotations

import re
import secrets
import string
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.meetings.rules import Tally
from storage.meeting_attendance import Presence, Proxy
from storage.meetings import Meeting

__all__ = [
    "CHECKIN_CLOSES_AFTER",
    "CHECKIN_OPENS_BEFORE",
    "CheckinPayload",
    "RoomCount",
    "checkin_link",
    "checkin_state",
    "new_checkin_code",
    "parse_checkin_payload",
    "room_count",
]

CHECKIN_OPENS_BEFORE = timedelta(hours=2)
CHECKIN_CLOSES_AFTER = timedelta(hours=6)
CODE_LENGTH = 10
_ALPHABET = string.ascii_letters + string.digits
# `/start in<ID>_<CODE>`: Telegram's deep-link payload allows A-Z, a-z, 0-9, _ and -.
_PAYLOAD = re.compile(r"^in([1-9]\d{0,9})_([A-Za-z0-9]{1,40})$")


@dataclass(frozen=True)
class CheckinPayload:
    """A check-in link's payload: which meeting, which code."""

    meeting_id: int
    code: str


def new_checkin_code() -> str:
    """A fresh unguessable check-in code (letters and digits)."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH))


def checkin_link(bot_username: str, meeting_id: int, code: str) -> str:
    """The link members open to check in."""
    return f"https://t.me/{bot_username}?start=in{meeting_id}_{code}"


def parse_checkin_payload(text: str) -> CheckinPayload | None:
    """Read `in<ID>_<CODE>`; None when it is not a check-in payload."""
    match = _PAYLOAD.match(text.strip())
    return CheckinPayload(int(match.group(1)), match.group(2)) if match else None


def checkin_state(meeting: Meeting, now: datetime) -> str:
    """`early`, `open` or `closed`: check-in works from 2 h before the start to 6 h after."""
    if now < meeting.starts_at - CHECKIN_OPENS_BEFORE:
        return "early"
    if now > meeting.starts_at + CHECKIN_CLOSES_AFTER:
        return "closed"
    return "open"


@dataclass(frozen=True)
class RoomCount:
    """Who is in the room: invited present, proxies they hold, walk-ins, against the quorum."""

    present: list[Presence]
    walk_ins: list[Presence]
    proxies_counted: int
    invited: int
    required: int | None
    proxies_allowed: bool

    @property
    def total(self) -> int:
        """Present invitees plus the proxies held by present holders."""
        return len(self.present) + self.proxies_counted

    @property
    def quorate(self) -> bool:
        """True when the room reaches the required number."""
        return self.required is not None and self.total >= self.required


def room_count(
    meeting: Meeting, tally: Tally, presence: list[Presence], proxies: list[Proxy]
) -> RoomCount:
    """Count the room: a proxy counts when its holder is present and its giver is not."""
    present = [p for p in presence if not p.walk_in]
    here = {p.person_id for p in present}
    counted = (
        sum(1 for x in proxies if x.holder_id in here and x.person_id not in here)
        if meeting.proxies
        else 0
    )
    return RoomCount(
        present=present,
        walk_ins=[p for p in presence if p.walk_in],
        proxies_counted=counted,
        invited=tally.invited,
        required=tally.required,
        proxies_allowed=meeting.proxies > 0,
    )
