"""Meeting rules: the one-line form, deadlines, quorum, seats, and strict callback data."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Literal
from zoneinfo import ZoneInfo

from bot.numbers import typed_number
from storage.meeting_answers import AnswerChange
from storage.meeting_rows import Invitee, Meeting, NewMeeting, Response
from storage.people import Role

__all__ = [
    "AUDIENCE_ROLES",
    "DEADLINE_LEAD",
    "DEFAULT_COUNCIL_QUORUM",
    "REMIND_NON_RESPONDERS_BEFORE_DEADLINE",
    "REMIND_YES_BEFORE_START",
    "Delivery",
    "EntryRefusal",
    "FormError",
    "Move",
    "Opening",
    "Rsvp",
    "Tally",
    "entry_refusal",
    "guided_error",
    "may_remind",
    "paginate",
    "parse_local_datetime",
    "parse_meeting",
    "parse_quorum",
    "parse_rsvp",
    "rsvp_data",
    "tally",
]


@dataclass(frozen=True)
class Delivery:
    """How a round of messages went."""

    sent: int = 0
    unreachable: int = 0
    failed: int = 0


DEADLINE_LEAD = timedelta(hours=24)
REMIND_NON_RESPONDERS_BEFORE_DEADLINE = timedelta(hours=24)
REMIND_YES_BEFORE_START = timedelta(hours=2)
DEFAULT_COUNCIL_QUORUM = Fraction(2, 3)
MAX_TITLE = 200
MAX_PLACE = 200
MAX_AGENDA = 1500
MAX_CAPACITY = 100_000

# Who is invited: council meetings go to council members and the secretariat (the role order
# gives the secretariat every right of the council); members' meetings to every member and up.
AUDIENCE_ROLES: dict[str, tuple[Role, ...]] = {
    "council": (Role.COUNCIL, Role.SECRETARIAT),
    "members": (Role.MEMBER, Role.COUNCIL, Role.SECRETARIAT),
}

_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})$")
_QUORUM = re.compile(r"^(?:(\d{1,3})/(\d{1,3})|(\d{1,3})%|(0?\.\d{1,4}|1(?:\.0*)?))$")
_OPTION = re.compile(r"^(deadline|audience|capacity|quorum|agenda|proxies)\s*=\s*(.*)$", re.S)
MAX_PROXIES = 100


class FormError(ValueError):
    """The form is wrong; `field` names what (a catalog key suffix)."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


def parse_local_datetime(text: str, timezone: ZoneInfo) -> datetime:
    """Parse `YYYY-MM-DD HH:MM` typed in the association's zone into an aware datetime."""
    match = _DATETIME.match(text.strip())
    if not match:
        raise FormError("when")
    try:
        year, month, day, hour, minute = (int(part) for part in match.groups())
        local = datetime(year, month, day, hour, minute, tzinfo=timezone)
    except ValueError as error:
        raise FormError("when") from error
    return local


def guided_error(field: str, text: str, timezone: ZoneInfo, now: datetime) -> str | None:
    """What is wrong with one answer of the guided /newmeeting (a catalog key suffix: `title`,
    `when`, `past`, `place`), or None; the agenda and options are checked with the whole form."""
    if field == "when":
        try:
            return "past" if parse_local_datetime(text, timezone) <= now else None
        except FormError as error:
            return error.field
    longest = MAX_TITLE if field == "title" else MAX_PLACE
    if "|" in text or not text or len(text) > longest:
        return field
    return None


def parse_quorum(text: str) -> Fraction:
    """Parse `2/3`, `50%` or `0.5` into a fraction in (0, 1]."""
    match = _QUORUM.match(text.strip())
    if not match:
        raise FormError("quorum")
    numerator, denominator, percent, decimal = match.groups()
    try:
        if numerator is not None:
            value = Fraction(int(numerator), int(denominator))
        elif percent is not None:
            value = Fraction(int(percent), 100)
        else:
            value = Fraction(decimal).limit_denominator(10000)
    except ZeroDivisionError as error:
        raise FormError("quorum") from error
    if not 0 < value <= 1:
        raise FormError("quorum")
    return value


def parse_meeting(text: str, timezone: ZoneInfo, now: datetime) -> NewMeeting:
    """Parse `TITLE | YYYY-MM-DD HH:MM | PLACE [| key=value]...` (times in `timezone`)."""
    parts = [part.strip() for part in text.split("|")]
    if len(parts) < 3:
        raise FormError("form")
    title, when, place, *options = parts
    if not title or len(title) > MAX_TITLE:
        raise FormError("title")
    if not place or len(place) > MAX_PLACE:
        raise FormError("place")
    starts_at = parse_local_datetime(when, timezone)
    meeting = NewMeeting(
        title=title, starts_at=starts_at, place=place, deadline=starts_at - DEADLINE_LEAD
    )
    explicit_deadline = False
    seen: set[str] = set()
    for option in options:
        match = _OPTION.match(option)
        if not match or match.group(1) in seen:
            raise FormError("option")
        key, value = match.group(1), match.group(2).strip()
        seen.add(key)
        meeting, explicit = apply_option(meeting, key, value, timezone)
        explicit_deadline = explicit_deadline or explicit
    return check_times(meeting, now, explicit_deadline)


def apply_option(
    meeting: NewMeeting, key: str, value: str, timezone: ZoneInfo
) -> tuple[NewMeeting, bool]:
    """Apply one `key=value` option; returns the meeting and whether it set the deadline."""
    if key == "deadline":
        return replace(meeting, deadline=parse_local_datetime(value, timezone)), True
    if key == "audience":
        if value not in AUDIENCE_ROLES:
            raise FormError("audience")
        return replace(meeting, audience="council" if value == "council" else "members"), False
    if key == "capacity":
        capacity = typed_number(value, high=MAX_CAPACITY)
        if capacity is None:
            raise FormError("capacity")
        return replace(meeting, capacity=capacity), False
    if key == "quorum":
        fraction = parse_quorum(value)
        return replace(meeting, quorum=f"{fraction.numerator}/{fraction.denominator}"), False
    if key == "proxies":
        if not value.isdigit() or int(value) > MAX_PROXIES:
            raise FormError("proxies")
        return replace(meeting, proxies=int(value)), False
    if key == "agenda":
        if len(value) > MAX_AGENDA:
            raise FormError("agenda")
        return replace(meeting, agenda=value), False
    raise FormError("option")


def check_times(meeting: NewMeeting, now: datetime, explicit_deadline: bool) -> NewMeeting:
    """The start must be ahead; the deadline between now and the start (a default is clamped)."""
    if meeting.starts_at <= now:
        raise FormError("past")
    if meeting.deadline > meeting.starts_at:
        raise FormError("deadline")
    if meeting.deadline <= now:
        if explicit_deadline:
            raise FormError("deadline")
        meeting = replace(meeting, deadline=meeting.starts_at)
    return meeting


def moved_deadline(meeting: Meeting, starts_at: datetime, now: datetime) -> datetime:
    """Keep the deadline's lead before the start when a meeting moves (never before now)."""
    deadline = starts_at - (meeting.starts_at - meeting.deadline)
    return deadline if deadline > now else starts_at


def reminder_times(starts_at: datetime, deadline: datetime) -> dict[str, datetime | None]:
    """When to remind: non-responders before the deadline, Yes before the start."""
    return {
        "deadline": deadline - REMIND_NON_RESPONDERS_BEFORE_DEADLINE,
        "start": starts_at - REMIND_YES_BEFORE_START,
    }


# Callback data: `rsvp:<meeting>:<version>:<y|n|m>` (at most 31 bytes).
_RSVP = re.compile(r"^rsvp:([1-9]\d{0,9}):([1-9]\d{0,5}):([ynm])$")
_ANSWER_CODES: dict[str, Response] = {"y": "yes", "n": "no", "m": "maybe"}


@dataclass(frozen=True)
class Rsvp:
    """A validated RSVP button."""

    meeting_id: int
    version: int
    response: Response


def rsvp_data(meeting_id: int, version: int, response: Response) -> str:
    """The callback data of an RSVP button."""
    return f"rsvp:{meeting_id}:{version}:{response[0]}"


def parse_rsvp(data: str | None) -> Rsvp | None:
    """Validate RSVP callback data strictly; None when forged or malformed."""
    if data is None or len(data) > 64:
        return None
    match = _RSVP.match(data)
    if not match:
        return None
    return Rsvp(int(match.group(1)), int(match.group(2)), _ANSWER_CODES[match.group(3)])


class TapRefusal(StrEnum):
    """Why an RSVP tap changed nothing."""

    FORGED = "forged"  # not an invitation of the tapping account (or the row refused it)
    NOT_OPEN = "not_open"  # the meeting is cancelled or over
    REPLACED = "replaced"  # the meeting moved since this invitation was sent
    CLOSED = "closed"  # the deadline has passed


@dataclass(frozen=True)
class TapResult:
    """What an RSVP tap did: the change, or why it was refused (with what it was about)."""

    meeting: Meeting | None = None
    invitee: Invitee | None = None
    change: AnswerChange | None = None
    refusal: TapRefusal | None = None


@dataclass(frozen=True)
class Opening:
    """A draft just opened: the meeting and the round of its invitations, not yet sent."""

    meeting: Meeting
    round_id: int


@dataclass(frozen=True)
class Move:
    """What moving a meeting did: the moved meeting and how everyone was told, or why not
    (`past`: to a time gone by, `unchanged`: same time and place, `not_open`)."""

    meeting: Meeting | None = None
    delivery: Delivery | None = None
    refusal: Literal["past", "unchanged", "not_open"] | None = None


class EntryRefusal(StrEnum):
    """Why an answer or a presence the secretariat entered for someone changed nothing."""

    NO_PERSON = "no_person"  # no roster entry with that id
    NOT_INVITED = "not_invited"  # the person is not invited to the meeting
    NOT_OPEN = "not_open"  # the meeting is cancelled (or the row refused the write)


def entry_refusal(meeting: Meeting, invited: bool) -> EntryRefusal | None:
    """The secretariat sets an answer for an invited person of an open meeting only."""
    if not invited:
        return EntryRefusal.NOT_INVITED
    if meeting.status != "open":
        return EntryRefusal.NOT_OPEN
    return None


def may_remind(meeting: Meeting, now: datetime) -> bool:
    """Non-responders are nudged while the meeting is open and has not started."""
    return meeting.status == "open" and now < meeting.starts_at


def tap_refusal(meeting: Meeting, rsvp: Rsvp, now: datetime) -> TapRefusal | None:
    """A tap counts while the meeting is open, its invitation current and the deadline ahead."""
    if meeting.status != "open":
        return TapRefusal.NOT_OPEN
    if rsvp.version != meeting.version:
        return TapRefusal.REPLACED
    if now >= meeting.deadline:
        return TapRefusal.CLOSED
    return None


@dataclass(frozen=True)
class Tally:
    """Counts and lists of a meeting's answers."""

    yes: list[Invitee]
    waitlist: list[Invitee]
    no: list[Invitee]
    maybe: list[Invitee]
    none: list[Invitee]
    unreachable: list[Invitee]
    invited: int
    required: int | None
    quorum: Fraction | None

    @property
    def expected(self) -> int:
        """Expected present: Yes holding a seat."""
        return len(self.yes)

    @property
    def quorate(self) -> bool:
        """True when the expected present reach the required number."""
        return self.required is not None and self.expected >= self.required


def tally(meeting: Meeting, invitees: list[Invitee], seated: list[int]) -> Tally:
    """Group the invitees by answer; quorum from `quorum=` or 2/3 of the council invited."""
    seat_set = set(seated[: meeting.capacity] if meeting.capacity else seated)
    order = {pid: index for index, pid in enumerate(seated)}
    yes = [i for i in invitees if i.response == "yes" and i.person_id in seat_set]
    waitlist = sorted(
        (i for i in invitees if i.response == "yes" and i.person_id not in seat_set),
        key=lambda i: order.get(i.person_id, 0),
    )
    quorum = Fraction(meeting.quorum) if meeting.quorum else None
    if quorum is None and meeting.audience == "council":
        quorum = DEFAULT_COUNCIL_QUORUM
    base = len(invitees)
    return Tally(
        yes=yes,
        waitlist=waitlist,
        no=[i for i in invitees if i.response == "no"],
        maybe=[i for i in invitees if i.response == "maybe"],
        none=[i for i in invitees if i.response == "none" and i.reachable],
        unreachable=[i for i in invitees if i.response == "none" and not i.reachable],
        invited=base,
        required=math.ceil(quorum * base) if quorum is not None else None,
        quorum=quorum,
    )


def paginate(header: str, lines: list[str], limit: int = 3800) -> list[str]:
    """Split `lines` into pages under `limit` characters, each starting with `header`."""
    pages: list[str] = []
    current = header
    for line in lines:
        line = line[: limit - len(header) - 2]
        if len(current) + 1 + len(line) > limit and current != header:
            pages.append(current)
            current = header
        current = f"{current}\n{line}"
    pages.append(current)
    return pages
