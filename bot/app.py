"""The assembly: `build_application` builds every service and registers every handler."""

from __future__ import annotations

import logging

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import ApplicationBuilder, CallbackContext, ContextTypes, Defaults
from telegram.request import BaseRequest

import handlers
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import AppContext, BotApplication, BotData, UserData
from bot.dashboard import dashboard_server
from bot.knowledge.reading import KnowledgeReading
from bot.knowledge.relay import QuestionRelay
from bot.knowledge.service import KnowledgeBase
from bot.meetings.late import invite_late_joiner
from bot.meetings.minutes import MeetingMinutes
from bot.meetings.service import MeetingService
from bot.meetings.stores import MeetingStores
from bot.messaging import Messenger
from bot.notices.approvals import NoticeApprovals
from bot.notices.delivery_bot import delivery_bot
from bot.notices.service import NoticeService, erase_recipient
from bot.notices.stores import NoticeStores
from bot.roster.accounts import Accounts
from bot.roster.service import RosterService
from storage.database import Database
from storage.people import PeopleRepository

__all__ = [
    "CONCURRENT_UPDATES",
    "AppContext",
    "BotApplication",
    "BotData",
    "build_application",
    "on_shutdown",
    "on_startup",
]

logger = logging.getLogger(__name__)

CONSOLE_TOKEN = "0:console"
CONCURRENT_UPDATES = 32


async def on_startup(app: BotApplication) -> None:
    """Open the database, make the configured admins secretariat, run the start-up hooks."""
    data = app.bot_data
    await data.db.connect()
    await data.accounts.make_secretariat(data.settings.admin_ids)
    for hook in data.startup_hooks:
        await hook(app)
    logger.info("bot started on %s", data.settings.db_path)


async def on_shutdown(app: BotApplication) -> None:
    """Run the shut-down hooks and close the database."""
    data = app.bot_data
    for hook in reversed(data.shutdown_hooks):
        try:
            await hook(app)
        except Exception:
            logger.exception("shut-down hook failed")
    if data.db.is_open:
        await data.db.close()


def build_application(
    settings: Settings, *, request: BaseRequest | None = None, clock: Clock | None = None
) -> BotApplication:
    """Assemble the bot: transport, services, handlers; no side effects until it is started."""
    builder = (
        ApplicationBuilder()
        .token(settings.token or CONSOLE_TOKEN)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        # bot_data is the BotData built below, once the bot and job queue exist.
        .context_types(ContextTypes(context=CallbackContext, user_data=UserData))
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
    clock = clock or SystemClock()
    db = Database.at(settings.db_path)
    people = PeopleRepository(db)
    messenger = Messenger(app.bot, people, clock)
    notice_bot, bulk = delivery_bot(settings, app.bot)
    notice_stores = NoticeStores.on(db)
    notices = NoticeService(
        db=db,
        stores=notice_stores,
        clock=clock,
        settings=settings,
        messenger=Messenger(notice_bot, people, clock),
        job_queue=app.job_queue,
        is_running=lambda: app.running,
        bulk=bulk,
    )
    meeting_stores = MeetingStores.on(db)
    meetings = MeetingService(
        db=db,
        clock=clock,
        settings=settings,
        messenger=messenger,
        job_queue=app.job_queue,
        stores=meeting_stores,
        minutes=MeetingMinutes(db, meeting_stores.minutes, notices, clock),
        limiter=notices.limiter,
    )
    knowledge = KnowledgeBase(db, embedder="default" if settings.semantic_search else None)
    data = BotData(
        settings=settings,
        clock=clock,
        db=db,
        messenger=messenger,
        meetings=meetings,
        notices=notices,
        approvals=NoticeApprovals(notices, notice_stores, messenger, settings),
        knowledge=knowledge,
        reading=KnowledgeReading(db, knowledge),
        questions=QuestionRelay(db=db, clock=clock, settings=settings, messenger=messenger),
        roster_service=RosterService(db=db, clock=clock, messenger=messenger),
        accounts=Accounts(db=db, clock=clock, messenger=messenger),
    )
    data.dashboard = dashboard_server(settings, db, clock, data.operator_ids)
    app.bot_data = data
    handlers.register(app)
    data.personal_data.erasers.append(erase_recipient)
    _add_service_hooks(data)
    return app


def _add_service_hooks(data: BotData) -> None:
    """Start and stop the services with the bot (after the features' own start-up work)."""

    async def start_meetings(app: BotApplication) -> None:
        await data.meetings.reminders.schedule()
        data.meetings.start_resuming_deliveries()

    async def stop_meetings(app: BotApplication) -> None:
        await data.meetings.stop_background()

    async def start_notices(app: BotApplication) -> None:
        await data.notices.start()

    async def stop_notices(app: BotApplication) -> None:
        await data.notices.stop()

    async def load_knowledge(app: BotApplication) -> None:
        await data.knowledge.start()

    async def invite_late(person_id: int) -> None:
        await invite_late_joiner(data.meetings, person_id)

    async def start_dashboard(app: BotApplication) -> None:
        if data.dashboard is not None:
            await data.dashboard.start()

    async def stop_dashboard(app: BotApplication) -> None:
        if data.dashboard is not None:
            await data.dashboard.stop()

    data.startup_hooks += [start_meetings, start_notices, load_knowledge, start_dashboard]
    data.shutdown_hooks += [stop_meetings, stop_notices, stop_dashboard]
    data.joined_hooks.append(invite_late)
