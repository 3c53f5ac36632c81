"""Answers and presence the secretariat enters for someone: checked first, then audited."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from bot.clock import Clock
from bot.meetings.rules import EntryRefusal, entry_refusal
from bot.meetings.stores import MeetingStores
from storage.meeting_answers import AnswerChange
from storage.meeting_rows import Invitee, Meeting, Response
from storage.people import PeopleRepository, Person

__all__ = ["AnswerEntry", "ByHandEntries", "PresenceEntry"]

MAX_NOTE = 500


class RecordAnswer(Protocol):
    """The meeting service's `answer`: one write plus its consequences (seats, summary)."""

    def __call__(
        self,
        meeting: Meeting,
        person_id: int,
        response: Response,
        *,
        version: int | None = None,
        set_by: int | None = None,
    ) -> Awaitable[AnswerChange | None]: ...


SetPresent = Callable[[Meeting, int, bool, int], Awaitable[bool]]


@dataclass(frozen=True)
class AnswerEntry:
    """What `/meeting ID set PERSON ANSWER` did: the change, or why nothing changed."""

    invitee: Invitee | None = None
    change: AnswerChange | None = None
    refusal: EntryRefusal | None = None


@dataclass(frozen=True)
class PresenceEntry:
    """What `/meeting ID present|absent PERSON` did: whether it changed, or why not."""

    person: Person | None = None
    changed: bool = False
    refusal: EntryRefusal | None = None


class ByHandEntries:
    """The secretariat's entries for someone else, each checked and written to the audit log."""

    def __init__(
        self,
        *,
        stores: MeetingStores,
        people: PeopleRepository,
        clock: Clock,
        answer: RecordAnswer,
        set_present: SetPresent,
    ) -> None:
        self._meetings = stores.meetings
        self._answers = stores.answers
        self._people = people
        self._clock = clock
        self._answer = answer
        self._set_present = set_present

    async def set_answer(
        self, meeting: Meeting, person_id: int, response: Response, note: str, actor: Person
    ) -> AnswerEntry:
        """Set an invitee's answer (a No may carry a note) for an open meeting, audited."""
        invitee = await self._meetings.invitee(meeting.id, person_id)
        refusal = entry_refusal(meeting, invitee is not None)
        if refusal is not None:
            return AnswerEntry(invitee, refusal=refusal)
        assert invitee is not None  # entry_refusal refuses someone not invited
        change = await self._answer(meeting, person_id, response, set_by=actor.id)
        if change is None:
            return AnswerEntry(invitee, refusal=EntryRefusal.NOT_OPEN)
        note = note[:MAX_NOTE]
        if note and response == "no":
            await self._answers.set_note(meeting.id, person_id, note)
        if change.changed:
            await self._people.record_audit(
                self._clock.now(),
                actor.id,
                "meeting_answer_set",
                person_id,
                f"meeting #{meeting.id}: {change.before} -> {change.after}"
                + (f" ({note})" if note else ""),
            )
        return AnswerEntry(invitee, change)

    async def set_presence(
        self, meeting: Meeting, person_id: int, present: bool, actor: Person
    ) -> PresenceEntry:
        """Record someone present (or undo it) on an open meeting by hand, audited."""
        person = await self._people.get(person_id)
        if person is None:
            return PresenceEntry(refusal=EntryRefusal.NO_PERSON)
        if meeting.status != "open":
            return PresenceEntry(person, refusal=EntryRefusal.NOT_OPEN)
        changed = await self._set_present(meeting, person.id, present, actor.id)
        if changed:
            await self._people.record_audit(
                self._clock.now(),
                actor.id,
                "meeting_presence_set",
                person.id,
                f"meeting #{meeting.id}: {'present' if present else 'absent'}",
            )
        return PresenceEntry(person, changed)
