"""Roster in the chat: `/start CODE`, roster CSV upload, command menus, blocked chats."""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import AppContext, BotApplication
from bot.i18n import language_from_hint, t
from bot.roster.csv_import import ImportReport, render_problem, secretariat_line
from bot.roster.invites import CODE_PATTERN
from bot.roster.menus import set_default_menus
from bot.roster.service import Redemption
from bot.roster.sheets import SheetError, roster_text
from handlers.common import Caller, drop_buttons, reply, require_role
from handlers.core import help_text
from handlers.invite import username
from storage.faults import DatabaseUnavailable
from storage.invites import RedeemStatus
from storage.people import Language, Role

__all__ = ["register"]

logger = logging.getLogger(__name__)

# After every feature has answered: a stale menu is fixed without delaying the reply.
MENU_GROUP = 99
MAX_UPLOAD = 2 * 1024 * 1024
PREVIEW_PROBLEMS = 20
# A preview not confirmed within this time has expired: the file must be sent again.
UPLOAD_TTL = timedelta(hours=1)
_UPLOAD_BUTTON = re.compile(r"^ri:(\d{1,9}):([yn])$")


def chunks(lines: list[str], limit: int = 3900) -> list[str]:
    """Join lines into messages that stay under Telegram's 4096 characters."""
    messages: list[str] = []
    current = ""
    for line in lines:
        if current and len(current) + len(line) + 1 > limit:
            messages.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        messages.append(current)
    return messages


# -- menus and reachability ----------------------------------------------------------------


async def name_the_nameless(update: Update, context: AppContext) -> None:
    """Before anything else: a known person without a name takes their Telegram name.

    Checked once per account and start-up (the configured admins start out nameless).
    """
    user = update.effective_user
    if user is None or user.is_bot or not user.full_name or not context.bot_data.db.is_open:
        return
    try:
        await context.bot_data.accounts.name_from_telegram(user.id, user.full_name)
    except DatabaseUnavailable as error:
        # Tried again at the next update; this one goes on.
        logger.info("name of account %s not filled in this time: %s", user.id, error)


async def reachable_again(update: Update, context: AppContext) -> None:
    """Whoever writes or taps in a private chat can be written to: no longer unreachable."""
    user = update.effective_user
    chat = update.effective_chat
    if (
        user is None
        or user.is_bot
        or chat is None
        or chat.type != ChatType.PRIVATE
        or update.my_chat_member  # a block or unblock: chat_member_changed decides
        or not context.bot_data.db.is_open
    ):
        return
    try:
        await context.bot_data.roster_service.heard_from(user.id)
    except DatabaseUnavailable as error:
        logger.info("reachability of account %s not noted this time: %s", user.id, error)


async def keep_menu_current(update: Update, context: AppContext) -> None:
    """After the answer: a known person's menu shows their role and language."""
    user = update.effective_user
    if user is None or user.is_bot or update.my_chat_member or not context.bot_data.db.is_open:
        return
    try:
        await context.bot_data.roster_service.keep_menu_current(user.id)
    except DatabaseUnavailable as error:
        logger.info("menu of account %s not noted this time: %s", user.id, error)


async def chat_member_changed(update: Update, context: AppContext) -> None:
    """The one `my_chat_member` handler: a person blocked the bot or left (unreachable), or
    started it again (reachable, with a current menu and what they missed)."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    status = change.new_chat_member.status
    reachable = status not in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
    await context.bot_data.roster_service.reach_changed(change.chat.id, reachable)


# -- /start CODE ---------------------------------------------------------------------------


async def start_with_code(update: Update, context: AppContext) -> None:
    """Bind the account to its roster entry (or give the invited role) and greet by name."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot or chat is None or chat.type != ChatType.PRIVATE:
        return
    roster = context.bot_data.roster_service
    known = await roster.person_of_account(user.id)
    language: Language = (
        known.language if known and known.language else language_from_hint(user.language_code)
    )
    args = context.args or []
    if len(args) != 1 or not CODE_PATTERN.fullmatch(args[0]):
        redemption = Redemption(RedeemStatus.UNKNOWN)
    else:
        redemption = await roster.redeem(args[0], user.id, user.full_name, language)
    person = redemption.person
    if person is None or not redemption.welcomed:
        await reply(update, t(language, f"roster.code_{redemption.status.value}"))
        raise ApplicationHandlerStop
    caller = Caller(person, person.language or language)
    role = caller.t(f"core.role_{person.role.value}")
    greeting = caller.t("roster.bound_welcome", name=person.name or user.first_name, role=role)
    await reply(update, greeting + "\n\n" + help_text(caller))
    await roster.welcomed(redemption)
    raise ApplicationHandlerStop


# -- roster CSV sent to the bot ------------------------------------------------------------


async def roster_upload(update: Update, context: AppContext) -> None:
    """A secretariat member sent a roster (CSV or Excel): check it, show a preview to confirm."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    message = update.effective_message
    if caller is None or message is None or message.document is None:
        return
    document = message.document
    if document.file_size is not None and document.file_size > MAX_UPLOAD:
        await reply(update, caller.t("roster.upload_too_big"))
        return
    file = await context.bot.get_file(document.file_id)
    content = bytes(await file.download_as_bytearray())
    if len(content) > MAX_UPLOAD:
        await reply(update, caller.t("roster.upload_too_big"))
        return
    try:
        text = roster_text(content, document.file_name or "")
    except SheetError as error:
        await reply(update, caller.t(f"roster.file_{error.key}"))
        return
    roster = context.bot_data.roster_service
    plan = await roster.plan(text)
    if plan.fatal is not None:
        await reply(update, render_problem(caller.language, plan.fatal))
        return
    upload_id = await roster.hold_upload(caller.person, text, UPLOAD_TTL)
    lines = [
        caller.t(
            "roster.upload_preview",
            new=plan.count("new"),
            updated=plan.count("updated"),
            unchanged=plan.count("unchanged"),
            rejected=len(plan.problems),
            minutes=_minutes(UPLOAD_TTL),
        )
    ]
    lines += [
        render_problem(caller.language, problem) for problem in plan.problems[:PREVIEW_PROBLEMS]
    ]
    if len(plan.problems) > PREVIEW_PROBLEMS:
        lines.append(
            caller.t("roster.upload_more_problems", count=len(plan.problems) - PREVIEW_PROBLEMS)
        )
    if secretariat := plan.secretariat_rows():
        lines.append(caller.t("roster.upload_secretariat"))
        lines += [secretariat_line(caller.language, row) for row in secretariat]
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    caller.t("roster.upload_confirm"), callback_data=f"ri:{upload_id}:y"
                ),
                InlineKeyboardButton(
                    caller.t("roster.upload_cancel"), callback_data=f"ri:{upload_id}:n"
                ),
            ]
        ]
    )
    await reply(update, chunks(lines)[0], buttons)


async def upload_button(update: Update, context: AppContext) -> None:
    """Confirm or cancel an uploaded roster: only its uploader, only once, within the hour."""
    query = update.callback_query
    caller = await require_role(update, context, Role.SECRETARIAT)
    if query is None or caller is None:
        return
    match = _UPLOAD_BUTTON.match(query.data or "")
    roster = context.bot_data.roster_service
    status = "imported" if match and match.group(2) == "y" else "cancelled"
    upload = (
        await roster.take_upload(int(match.group(1)), caller.person, status, UPLOAD_TTL)
        if match
        else None
    )
    if upload is None:
        await query.answer(caller.t("core.button_invalid"), show_alert=True)
        return
    if upload.status == "expired":
        alert = caller.t("roster.upload_expired", minutes=_minutes(UPLOAD_TTL))
        await query.answer(html.unescape(alert), show_alert=True)
        await drop_buttons(update)
        return
    await query.answer()
    await drop_buttons(update)
    if status == "cancelled":
        await reply(update, caller.t("roster.upload_cancelled"))
        return
    report = await roster.import_confirmed(upload.content, username(context), caller.person)
    await send_report(update, caller, report)


def _minutes(span: timedelta) -> int:
    """A time span in whole minutes, for the texts."""
    return int(span.total_seconds() // 60)


async def send_report(update: Update, caller: Caller, report: ImportReport) -> None:
    """The import's outcome, the rejected lines and the links, in as few messages as fit."""
    plan = report.plan
    lines = [
        caller.t(
            "roster.import_done",
            new=plan.count("new"),
            updated=plan.count("updated"),
            unchanged=plan.count("unchanged"),
            rejected=len(plan.problems),
        )
    ]
    lines += [render_problem(caller.language, problem) for problem in plan.problems]
    if report.links:
        lines.append(caller.t("roster.import_links"))
        lines += [
            caller.t(
                "roster.link_line",
                name=name,
                unit=unit or "—",
                role=caller.t(f"core.role_{role.value}"),
                link=link,
            )
            for name, unit, role, link in report.links
        ]
    for text in chunks(lines):
        await reply(update, text)


# -- wiring --------------------------------------------------------------------------------


MENU_SYNC_JOB = "roster-menu-sync"
MENU_SYNC_BATCH = 5  # personal menus per second: a trickle beside replies and notices


@dataclass
class MenuSync:
    """The menu job's state: still catching up on the menus left stale before start-up."""

    catching_up: bool = True


async def sync_menus_job(context: AppContext) -> None:
    """Each second: a few stale menus after start-up, then people a roster import queued.

    `run_bot.py roster import` runs in another process and queues the people it changed in
    the database, so the running bot updates their menus without a restart.
    """
    roster = context.bot_data.roster_service
    state = context.job.data if context.job is not None else None
    if not isinstance(state, MenuSync):
        state = MenuSync()
    if state.catching_up:
        _, state.catching_up = await roster.sync_stale_menus(limit=MENU_SYNC_BATCH)
        return
    await roster.sync_queued_menus(MENU_SYNC_BATCH)


async def on_startup(app: BotApplication) -> None:
    """Default menus for guests; stale personal menus in the background; check the username."""
    await set_default_menus(app.bot)
    if app.job_queue is not None:
        app.job_queue.run_repeating(sync_menus_job, 1, first=0, name=MENU_SYNC_JOB, data=MenuSync())
    data = app.bot_data
    real = app.bot.username
    if real and real.lower() != data.settings.bot_username.lower():
        logger.warning(
            "ASSOC_BOT_USERNAME is %s but the bot is @%s: links printed by `roster import`"
            " would be wrong",
            data.settings.bot_username,
            real,
        )


def register(app: BotApplication) -> None:
    """Wire the roster in: /start CODE first, the commands and buttons, menus last."""
    from handlers import invite, join, members, privacy

    app.add_handler(TypeHandler(Update, name_the_nameless), group=-2)
    app.add_handler(TypeHandler(Update, reachable_again), group=-4)  # one per group runs
    app.add_handler(TypeHandler(Update, keep_menu_current), group=MENU_GROUP)
    app.add_handler(CommandHandler("start", start_with_code, has_args=True), group=-1)
    app.add_handler(ChatMemberHandler(chat_member_changed, ChatMemberHandler.MY_CHAT_MEMBER))
    invite.register(app)
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE
            & (filters.Document.FileExtension("csv") | filters.Document.FileExtension("xlsx")),
            roster_upload,
        )
    )
    app.add_handler(CallbackQueryHandler(upload_button, pattern=r"^ri:"))
    join.register(app)
    members.register(app)
    privacy.register(app)
    app.bot_data.startup_hooks.append(on_startup)
