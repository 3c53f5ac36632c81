"""The meeting repositories, one per aggregate, built once and shared by the meeting services."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Database
from storage.meeting_answers import AnswerRepository
from storage.meeting_attendance import AttendanceRepository
from storage.meeting_minutes import MinutesRepository
from storage.meeting_reminders import ReminderRepository
from storage.meeting_rounds import MeetingRoundRepository
from storage.meetings import MeetingRepository

__all__ = ["MeetingStores"]


@dataclass(frozen=True)
class MeetingStores:
    """Meetings and invitations, their answers, the meeting day, rounds, reminders, minutes."""

    meetings: MeetingRepository
    answers: AnswerRepository
    attendance: AttendanceRepository
    rounds: MeetingRoundRepository
    reminders: ReminderRepository
    minutes: MinutesRepository

    @classmethod
    def on(cls, db: Database) -> MeetingStores:
        """Each repository once, on one database."""
        return cls(
            meetings=MeetingRepository(db),
            answers=AnswerRepository(db),
            attendance=AttendanceRepository(db),
            rounds=MeetingRoundRepository(db),
            reminders=ReminderRepository(db),
            minutes=MinutesRepository(db),
        )
