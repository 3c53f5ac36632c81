"""Application assembly: typed context, start-up and shut-down, and `build_application`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackContext,
    ContextTypes,
    Defaults,
    ExtBot,
    JobQueue,
)
from telegram.request import BaseRequest

from bot.clock import Clock, SystemClock
from bot.config import Settings
from storage.database import Database, Transaction
from storage.people import PeopleRepository, Person, Role
from storage.roster import RosterRepository

if TYPE_CHECKING:
    from bot.dashboard import DashboardServer
    from bot.knowledge.service import KnowledgeBase
    from bot.meetings.service import MeetingService
    from bot.notices.service import NoticeService

__all__ = [
    "CONCURRENT_UPDATES",
    "AppContext",
    "BotApplication",
    "BotData",
    "PersonHook",
    "PersonalDataEraser",
    "PersonalDataExporter",
    "build_application",
    "on_shutdown",
    "on_startup",
]

logger = logging.getLogger(__name__)

CONSOLE_TOKEN = "0:console"
CONCURRENT_UPDATES = 32

Hook = Callable[["BotApplication"], Awaitable[None]]
# A feature's share of /mydata (a JSON-ready section) and of /forgetme (inside one transaction).
PersonalDataExporter = Callable[[Database, Person], Awaitable[dict[str, Any]]]
PersonalDataEraser = Callable[[Transaction, Person, datetime], Awaitable[None]]
# Told a person's id when they can now be written to or belong to more audiences: they bound
# their account, were approved or given a role, or started the bot again.
PersonHook = Callable[[int], Awaitable[None]]


class BotData:
    """Everything the handlers share: settings, database, clock and lifecycle hooks."""

    def __init__(self) -> None:
        self.settings: Settings = Settings()
        self.clock: Clock = SystemClock()
        self._db: Database | None = None
        self.startup_hooks: list[Hook] = []
        self.shutdown_hooks: list[Hook] = []
        self.last_error_alert: datetime | None = None
        self.meetings: MeetingService | None = None
        self.knowledge_base: KnowledgeBase | None = None
        self.personal_data_exporters: list[PersonalDataExporter] = []
        self.personal_data_erasers: list[PersonalDataEraser] = []
        # Tables whose personal data a registered exporter/eraser handles itself; the roster's
        # generic pass over tables with a person_id column leaves them alone.
        self.personal_data_tables: set[str] = set()
        self.notices: NoticeService | None = None
        self.joined_hooks: list[PersonHook] = []
        # Telegram accounts whose person was found named since start-up: a bound person's
        # name never becomes empty again (erasure also unbinds), so they need no new check.
        self.named_accounts: set[int] = set()
        self.dashboard: DashboardServer | None = None  # serving while ASSOC_WEBAPP_URL is set

    @property
    def db(self) -> Database:
        """The open database (available between start-up and shut-down)."""
        if self._db is None:
            raise RuntimeError("the database is not open: start-up has not run")
        return self._db

    @property
    def knowledge(self) -> KnowledgeBase:
        """The knowledge base (loaded at start-up)."""
        if self.knowledge_base is None:
            raise RuntimeError("the knowledge base is not loaded: start-up has not run")
        return self.knowledge_base

    @property
    def people(self) -> PeopleRepository:
        """The persons repository."""
        return PeopleRepository(self.db)

    @property
    def roster(self) -> RosterRepository:
        """The roster repository: invites, applications, role changes, audit log."""
        return RosterRepository(self.db)


AppContext = CallbackContext[ExtBot[None], dict[object, object], dict[object, object], BotData]
BotApplication = Application[
    ExtBot[None],
    AppContext,
    dict[object, object],
    dict[object, object],
    BotData,
    JobQueue[AppContext],
]
CONTEXT_TYPES = ContextTypes(context=CallbackContext, bot_data=BotData)


async def on_startup(app: BotApplication) -> None:
    """Open the database, make the configured admins secretariat, run the features' hooks."""
    data = app.bot_data
    data._db = await Database.open(data.settings.db_path)
    now = data.clock.now()
    for admin_id in sorted(data.settings.admin_ids):
        await data.people.ensure_role(admin_id, Role.SECRETARIAT, "", now)
    for hook in data.startup_hooks:
        await hook(app)
    logger.info("bot started on %s", data.settings.db_path)


async def on_shutdown(app: BotApplication) -> None:
    """Run the features' shut-down hooks and close the database."""
    data = app.bot_data
    for hook in reversed(data.shutdown_hooks):
        try:
            await hook(app)
        except Exception:
            logger.exception("shut-down hook failed")
    if data._db is not None:
        await data._db.close()
        data._db = None


def build_application(
    settings: Settings, *, request: BaseRequest | None = None, clock: Clock | None = None
) -> BotApplication:
    """Assemble the bot: settings, transport, handlers; no side effects until it is started."""
    from handlers import register

    builder = (
        ApplicationBuilder()
        .token(settings.token or CONSOLE_TOKEN)
        .base_url(settings.api_base_url)
        .context_types(CONTEXT_TYPES)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
                tzinfo=settings.timezone,
            )
        )
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(on_startup)
        .post_shutdown(on_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app: BotApplication = builder.build()  # type: ignore[assignment]
    app.bot_data.settings = settings
    if clock is not None:
        app.bot_data.clock = clock
    register(app)
    return app
