"""The typed context every handler and job sees: `BotData` (shared) and `UserData` (per user).

This module imports services and storage, never a handler and never the assembly
(`bot.app`): services are built from narrow dependencies in `bot.app.build_application`
and placed here, so every slot is filled before the first update arrives.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.clock import Clock
from bot.config import Settings
from bot.dashboard import DashboardServer
from bot.knowledge.parser import ParsedArticles
from bot.knowledge.reading import KnowledgeReading
from bot.knowledge.relay import QuestionRelay
from bot.knowledge.service import KnowledgeBase
from bot.meetings.service import MeetingService
from bot.messaging import Messenger
from bot.notices.approvals import NoticeApprovals
from bot.notices.compose import Draft
from bot.notices.service import NoticeService
from bot.roster.accounts import Accounts
from bot.roster.entries import NewEntry
from bot.roster.privacy import PersonalDataRegistry
from bot.roster.reach import PersonHook
from bot.roster.service import RosterService
from storage.database import Database

__all__ = [
    "AppContext",
    "BotApplication",
    "BotData",
    "Hook",
    "InviteDraft",
    "MeetingEditDraft",
    "MeetingFormDraft",
    "MinutesDraft",
    "UserData",
    "user_state",
]


@dataclass
class MeetingFormDraft:
    """The guided /newmeeting so far: each answer as typed."""

    title: str = ""
    when: str = ""
    place: str = ""
    options: str = ""


@dataclass
class MinutesDraft:
    """`/minutes ID` waiting for the document or text: which meeting, to whom."""

    meeting_id: int
    audience: Literal["invited", "present"]


@dataclass
class MeetingEditDraft:
    """`/meeting ID edit` waiting for the new value of one field."""

    meeting_id: int
    field: str


@dataclass
class InviteDraft:
    """The guided /invite so far."""

    name: str | None = None
    unit: str | None = None


@dataclass
class UserData:
    """What one user's conversations keep between updates (PTB makes one per user)."""

    meeting_form: MeetingFormDraft | None = None
    minutes: MinutesDraft | None = None
    meeting_edit: MeetingEditDraft | None = None
    notice_draft: Draft | None = None
    correction_of: int | None = None  # the notice whose corrected text comes next
    join_name: str | None = None
    invite: InviteDraft = field(default_factory=InviteDraft)
    # An entry /invite did not add because its name and unit are on the roster already.
    namesake_entry: NewEntry | None = None
    # A secretariat entry /invite holds back until the secretariat member confirms it.
    secretariat_entry: NewEntry | None = None
    articles_upload: tuple[ParsedArticles, str] | None = None
    relay_question_id: int | None = None


class BotData:
    """Everything the handlers share: settings, clock, database, messenger and the services."""

    def __init__(
        self,
        *,
        settings: Settings,
        clock: Clock,
        db: Database,
        messenger: Messenger,
        meetings: MeetingService,
        notices: NoticeService,
        approvals: NoticeApprovals,
        knowledge: KnowledgeBase,
        reading: KnowledgeReading,
        questions: QuestionRelay,
        roster_service: RosterService,
        accounts: Accounts,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.db = db
        self.messenger = messenger
        self.meetings = meetings
        self.notices = notices
        self.approvals = approvals
        self.knowledge = knowledge
        self.reading = reading
        self.questions = questions
        self.roster_service = roster_service
        self.accounts = accounts
        # Each feature adds its share of /mydata and /forgetme here (shared with accounts).
        self.personal_data: PersonalDataRegistry = accounts.personal_data
        # Told a person's id when they can be reached or have a new role (shared with roster).
        self.joined_hooks: list[PersonHook] = roster_service.joined_hooks
        self.startup_hooks: list[Hook] = []
        self.shutdown_hooks: list[Hook] = []
        self.last_error_alert: datetime | None = None
        # Telegram ids with the secretariat's rights without being on the roster (the console's
        # operator): never invited, never counted, not a recipient of notices (shared with
        # accounts and the dashboard).
        self.operator_ids: set[int] = accounts.operator_ids
        # The secretariat's dashboard, served from start-up to shut-down when configured.
        self.dashboard: DashboardServer | None = None


AppContext = CallbackContext[ExtBot[None], UserData, dict[object, object], BotData]
BotApplication = Application[
    ExtBot[None],
    AppContext,
    UserData,
    dict[object, object],
    BotData,
    JobQueue[AppContext],
]
Hook = Callable[[BotApplication], Awaitable[None]]


def user_state(context: AppContext) -> UserData:
    """The user's conversation state (a throw-away one for updates without a user)."""
    return context.user_data if context.user_data is not None else UserData()
