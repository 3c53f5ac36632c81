"""What each dashboard page shows, read fresh from the database for one reader."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.meetings.attendance import RoomCount, room_count
from bot.meetings.rules import Tally, tally
from bot.roster.export import ExportFormat, RosterFile, roster_csv, roster_table, roster_xlsx
from storage.dashboard import DashboardRepository, RosterFilter, RosterSlice
from storage.database import Database
from storage.knowledge_questions import PassedQuestion, QuestionRepository
from storage.meeting_answers import AnswerRepository
from storage.meeting_attendance import AttendanceRepository
from storage.meetings import Meeting, MeetingRepository
from storage.notice_outbox import NoticeOutboxRepository, Unreachable
from storage.notice_receipts import ReceiptRepository, Unconfirmed
from storage.notices import ACTIVE_STATUSES, Notice, NoticeRepository
from storage.people import Role
from storage.roster import Reach, ReachCounts, RosterRepository

__all__ = [
    "ROSTER_PAGE_SIZE",
    "Home",
    "MeetingBoard",
    "NoticeReport",
    "RosterPage",
    "Views",
]

ROSTER_PAGE_SIZE = 50
MEETINGS_SHOWN = 30
NOTICES_SHOWN = 30
QUESTIONS_SHOWN = 200
# A meeting stays on the board for the day it is held (present on the day).
MEETING_SHOWN_AFTER_START = timedelta(hours=12)
ROSTER_ROLES = (Role.SECRETARIAT, Role.COUNCIL, Role.MEMBER)
OUTCOMES = ("sent", "unconfirmed", "blocked", "never_started", "failed", "cancelled", "pending")


@dataclass(frozen=True)
class Home:
    """The first page: how much there is behind each link."""

    roster: int
    meetings: int
    notices: int
    questions: int


@dataclass(frozen=True)
class RosterPage:
    """The roster page: counts per role and reach, the filter, and one page of entries."""

    counts: dict[Role, ReachCounts]
    wanted: RosterFilter
    offset: int
    slice: RosterSlice

    @property
    def total(self) -> int:
        """Entries on the roster (any role but guest)."""
        return sum(self.counts[role].total for role in ROSTER_ROLES)

    @property
    def has_next(self) -> bool:
        """More matching entries after this page."""
        return self.offset + len(self.slice.lines) < self.slice.matching


@dataclass(frozen=True)
class MeetingBoard:
    """One meeting: its answers grouped, the quorum, and who is present.

    `present` is the room's count on the day (None until anyone is checked in): the invited
    present in the order they came, walk-ins apart, and the count against the quorum.
    """

    meeting: Meeting
    tally: Tally
    present: RoomCount | None = None

    @property
    def missing(self) -> int:
        """How many more Yes the quorum needs (0 when reached or not set)."""
        if self.tally.required is None:
            return 0
        return max(self.tally.required - self.tally.expected, 0)


@dataclass(frozen=True)
class NoticeReport:
    """One notice: where its delivery stands, by outcome, and whom it did not reach."""

    notice: Notice
    counts: dict[str, int]
    not_reached: list[Unreachable]
    receipts: tuple[int, int] | None = None  # (confirmed, of) when receipts were asked
    unconfirmed: list[Unconfirmed] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Recipients in the outbox (or planned, before delivery starts)."""
        return max(sum(self.counts.values()), self.notice.total)

    @property
    def done(self) -> int:
        """Recipients whose send has ended one way or another."""
        return sum(self.counts.get(state, 0) for state in OUTCOMES if state != "pending")

    @property
    def running(self) -> bool:
        """True while the notice is being sent (the page then refreshes itself)."""
        return self.notice.status == "sending"


class Views:
    """Reads each page's data; every call reads the database afresh."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._dashboard = DashboardRepository(db)
        self._meetings = MeetingRepository(db)
        self._notices = NoticeRepository(db)
        self._notice_outbox = NoticeOutboxRepository(db)
        self._receipts = ReceiptRepository(db)

    async def home(self, now: datetime) -> Home:
        """Counts for the first page's links."""
        counts = await RosterRepository(self._db).reach_counts()
        meetings = await self._dashboard.meeting_ids_since(now, MEETINGS_SHOWN)
        active = await self._notices.list_for_overview(0)
        questions = await QuestionRepository(self._db).passed_to_secretariat(QUESTIONS_SHOWN)
        return Home(
            roster=sum(counts[role].total for role in ROSTER_ROLES),
            meetings=len(meetings),
            notices=sum(1 for n in active if n.status in ACTIVE_STATUSES),
            questions=sum(1 for q in questions if q.waiting),
        )

    async def roster(self, wanted: RosterFilter, offset: int) -> RosterPage:
        """Counts and one page of the entries matching `wanted`."""
        counts = await RosterRepository(self._db).reach_counts()
        found = await self._dashboard.roster_slice(wanted, offset, ROSTER_PAGE_SIZE)
        return RosterPage(counts, wanted, offset, found)

    async def roster_file(
        self, wanted: RosterFilter, kind: ExportFormat, today: date
    ) -> RosterFile:
        """The entries matching `wanted` as the roster export's CSV or Excel file."""
        entries = await self._dashboard.roster_entries(wanted)
        rows = roster_table(entries)
        content = roster_csv(rows) if kind == "csv" else roster_xlsx(rows)
        return RosterFile(f"roster-{today.isoformat()}.{kind}", content, len(entries))

    async def meetings(self, now: datetime) -> list[MeetingBoard]:
        """Meetings to come and those held today, soonest first."""
        since = now - MEETING_SHOWN_AFTER_START
        ids = await self._dashboard.meeting_ids_since(since, MEETINGS_SHOWN)
        boards = [await self.meeting(meeting_id) for meeting_id in ids]
        return [board for board in boards if board is not None]

    async def meeting(self, meeting_id: int) -> MeetingBoard | None:
        """One meeting's board (None for a draft or an unknown id)."""
        meeting = await self._meetings.get(meeting_id)
        if meeting is None or meeting.status == "draft":
            return None
        invitees = await self._meetings.invitees(meeting.id)
        seated = await AnswerRepository(self._db).seated(meeting)
        counted = tally(meeting, invitees, seated)
        attendance = AttendanceRepository(self._db)
        presence = await attendance.presence(meeting.id)
        room = None
        if presence:
            room = room_count(meeting, counted, presence, await attendance.proxies(meeting.id))
        return MeetingBoard(meeting, counted, room)

    async def notices(self) -> list[NoticeReport]:
        """Notices being sent or scheduled, then the latest finished ones."""
        notices = await self._notices.list_for_overview(NOTICES_SHOWN)
        return [
            NoticeReport(
                n,
                await self._notice_outbox.counts(n.id),
                [],
                await self._receipts.receipt_summary(n.id) if n.ack else None,
            )
            for n in notices
            if n.status != "draft"
        ]

    async def notice(self, notice_id: int) -> NoticeReport | None:
        """One notice's progress or final report (None for a draft or an unknown id)."""
        notice = await self._notices.get(notice_id)
        if notice is None or notice.status == "draft":
            return None
        counts = await self._notice_outbox.counts(notice.id)
        not_reached = await self._notice_outbox.unreachable(notice.id)
        if not notice.ack:
            return NoticeReport(notice, counts, not_reached)
        return NoticeReport(
            notice,
            counts,
            not_reached,
            await self._receipts.receipt_summary(notice.id),
            await self._receipts.unconfirmed(notice.id),
        )

    async def questions(self) -> list[PassedQuestion]:
        """Questions passed to the secretariat: waiting first, then answered."""
        return await QuestionRepository(self._db).passed_to_secretariat(QUESTIONS_SHOWN)


def parse_roster_filter(text: str, role: str, reach: str) -> RosterFilter:
    """The roster filter from the page's query (unknown values mean "any")."""
    wanted_role = Role(role) if role in {r.value for r in ROSTER_ROLES} else None
    wanted_reach = Reach(reach) if reach in {r.value for r in Reach} else None
    return RosterFilter(text.strip()[:100], wanted_role, wanted_reach)
