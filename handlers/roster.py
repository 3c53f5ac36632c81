"""Roster in the chat: `/start CODE`, `/invite`, roster CSV upload, menus, blocked chats."""

from __future__ import annotations

import logging
import re
import warnings

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.app import AppContext, BotApplication
from bot.i18n import language_from_hint, t
from bot.roster.csv_import import (
    ImportReport,
    apply_plan,
    decode_csv,
    plan_import,
    render_problem,
)
from bot.roster.invites import CODE_PATTERN, links_for_entries, role_link
from bot.roster.menus import set_default_menus, sync_menu, sync_stale_menus
from handlers.common import Caller, identify, reply, require_role, send_usage
from handlers.core import help_text
from storage.people import Language, Role
from storage.roster import RedeemStatus

__all__ = ["register"]

logger = logging.getLogger(__name__)

INVITE_NAME, INVITE_UNIT, INVITE_ROLE = range(3)
MAX_UPLOAD = 2 * 1024 * 1024
PREVIEW_PROBLEMS = 20
_ROLE_WORDS = {
    "member": Role.MEMBER,
    "council": Role.COUNCIL,
    "secretariat": Role.SECRETARIAT,
    "会员": Role.MEMBER,
    "理事": Role.COUNCIL,
    "秘书处": Role.SECRETARIAT,
}
_UPLOAD_BUTTON = re.compile(r"^ri:(\d{1,9}):([yn])$")
_INVITE_BUTTON = re.compile(r"^iv:(link|new):(member|council|secretariat)$")


def username(context: AppContext) -> str:
    """The bot's username for links: Telegram's answer to getMe, else the setting."""
    return context.bot.username or context.bot_data.settings.bot_username


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


async def keep_menu_current(update: Update, context: AppContext) -> None:
    """Before anything else: a known person gets a name if they had none, and their menu."""
    user = update.effective_user
    if user is None or user.is_bot or context.bot_data._db is None:
        return
    data = context.bot_data
    person = await data.people.get_by_telegram_id(user.id)
    if person is None:
        return
    if not person.name and user.full_name:
        await data.people.fill_empty_name(person.id, user.full_name[:100], data.clock.now())
    await sync_menu(context.bot, data.roster, person)


async def chat_member_changed(update: Update, context: AppContext) -> None:
    """A person blocked the bot (unreachable) or came back (reachable)."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    status = change.new_chat_member.status
    if status not in (ChatMemberStatus.BANNED, ChatMemberStatus.MEMBER):
        return
    data = context.bot_data
    reachable = status == ChatMemberStatus.MEMBER
    person = await data.people.set_reachable_by_telegram_id(
        change.from_user.id, reachable, data.clock.now()
    )
    if person is not None and reachable:
        await sync_menu(context.bot, data.roster, person)


# -- /start CODE ---------------------------------------------------------------------------


async def start_with_code(update: Update, context: AppContext) -> None:
    """Bind the account to its roster entry (or give the invited role) and greet by name."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot or chat is None or chat.type != ChatType.PRIVATE:
        return
    data = context.bot_data
    now = data.clock.now()
    known = await data.people.get_by_telegram_id(user.id)
    language: Language = (
        known.language if known and known.language else language_from_hint(user.language_code)
    )
    args = context.args or []
    if len(args) != 1 or not CODE_PATTERN.fullmatch(args[0]):
        status = RedeemStatus.UNKNOWN
        person_id = None
    else:
        outcome = await data.roster.redeem(args[0], user.id, user.full_name, language, now)
        status, person_id = outcome.status, outcome.person_id
    person = await data.people.get(person_id) if person_id is not None else None
    if person is None or status not in (
        RedeemStatus.BOUND,
        RedeemStatus.ROLE_GIVEN,
        RedeemStatus.ALREADY_YOURS,
    ):
        await reply(update, t(language, f"roster.code_{status.value}"))
        raise ApplicationHandlerStop
    caller = Caller(person, person.language or language)
    role = caller.t(f"core.role_{person.role.value}")
    greeting = caller.t("roster.bound_welcome", name=person.name or user.first_name, role=role)
    await reply(update, greeting + "\n\n" + help_text(caller))
    await sync_menu(context.bot, data.roster, person)
    raise ApplicationHandlerStop


# -- /invite -------------------------------------------------------------------------------


async def invite_command(update: Update, context: AppContext) -> int:
    """One-line `/invite member|council|ID|NAME | UNIT | ROLE`, or the guided form."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None:
        return ConversationHandler.END
    message = update.effective_message
    text = (message.text or "").partition(" ")[2].strip() if message else ""
    if not text:
        buttons = [
            InlineKeyboardButton(
                caller.t("roster.invite_role_link", role=caller.t(f"core.role_{role.value}")),
                callback_data=f"iv:link:{role.value}",
            )
            for role in (Role.MEMBER, Role.COUNCIL)
        ]
        await reply(update, caller.t("roster.invite_ask_name"), InlineKeyboardMarkup([buttons]))
        return INVITE_NAME
    await invite_one_line(update, context, caller, text)
    return ConversationHandler.END


async def invite_one_line(update: Update, context: AppContext, caller: Caller, text: str) -> None:
    """Make the link the one-line form asks for, or answer with the usage."""
    data = context.bot_data
    now = data.clock.now()
    role = _ROLE_WORDS.get(text.lower())
    if role in (Role.MEMBER, Role.COUNCIL):
        link = await role_link(data.roster, role, username(context), caller.person.id, now)
        await reply(
            update,
            caller.t(
                "roster.invite_role_made", role=caller.t(f"core.role_{role.value}"), link=link
            ),
        )
        return
    if text.isascii() and text.isdigit() and len(text) <= 9:
        await renew_link(update, context, caller, int(text))
        return
    parts = [part.strip() for part in text.split("|")]
    if len(parts) not in (3, 4) or not parts[0] or len(parts[0]) > 100 or len(parts[1]) > 200:
        await send_usage(update, caller, "roster.invite")
        return
    role = _ROLE_WORDS.get(parts[2].lower())
    language = parts[3].lower() if len(parts) == 4 else ""
    if role is None or language not in ("", "zh", "en"):
        await send_usage(update, caller, "roster.invite")
        return
    await create_entry(
        update,
        context,
        caller,
        parts[0],
        parts[1],
        role,
        "zh" if language == "zh" else "en" if language == "en" else None,
    )


async def create_entry(
    update: Update,
    context: AppContext,
    caller: Caller,
    name: str,
    unit: str,
    role: Role,
    language: Language | None,
) -> None:
    """Add a roster entry and show its personal link."""
    data = context.bot_data
    now = data.clock.now()
    person_id = await data.roster.add_entry(name, unit, role, language, caller.person.id, now)
    links = await links_for_entries(
        data.roster, [(person_id, role)], username(context), caller.person.id, now
    )
    await reply(
        update,
        caller.t(
            "roster.invite_entry_made",
            id=person_id,
            name=name,
            role=caller.t(f"core.role_{role.value}"),
            link=links[person_id],
        ),
    )


async def renew_link(update: Update, context: AppContext, caller: Caller, person_id: int) -> None:
    """A new personal link for an entry not yet bound (older ones stop working)."""
    data = context.bot_data
    person = await data.people.get(person_id)
    if person is None or person.role is Role.GUEST:
        await reply(update, caller.t("roster.no_entry", id=person_id))
        return
    if person.telegram_id is not None:
        await reply(update, caller.t("roster.already_bound", name=person.name))
        return
    now = data.clock.now()
    links = await links_for_entries(
        data.roster,
        [(person.id, person.role)],
        username(context),
        caller.person.id,
        now,
        renew=True,
    )
    await reply(
        update,
        caller.t(
            "roster.invite_entry_made",
            id=person.id,
            name=person.name,
            role=caller.t(f"core.role_{person.role.value}"),
            link=links[person.id],
        ),
    )


async def invite_name(update: Update, context: AppContext) -> int:
    """Guided /invite: the name of the new entry."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    message = update.effective_message
    if caller is None or message is None:
        return ConversationHandler.END
    name = " ".join((message.text or "").split())
    if not name or len(name) > 100:
        await reply(update, caller.t("roster.invite_ask_name"))
        return INVITE_NAME
    if context.user_data is not None:
        context.user_data["invite_name"] = name
    await reply(update, caller.t("roster.invite_ask_unit", name=name))
    return INVITE_UNIT


async def invite_unit(update: Update, context: AppContext) -> int:
    """Guided /invite: the unit (or `-` for none), then the role as buttons."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    message = update.effective_message
    if caller is None or message is None:
        return ConversationHandler.END
    unit = " ".join((message.text or "").split())
    unit = "" if unit in ("-", "—", "无") else unit
    if len(unit) > 200:
        await reply(update, caller.t("roster.invite_ask_unit", name=""))
        return INVITE_UNIT
    if context.user_data is not None:
        context.user_data["invite_unit"] = unit
    buttons = [
        InlineKeyboardButton(
            caller.t(f"core.role_{role.value}"), callback_data=f"iv:new:{role.value}"
        )
        for role in (Role.MEMBER, Role.COUNCIL, Role.SECRETARIAT)
    ]
    await reply(update, caller.t("roster.invite_ask_role"), InlineKeyboardMarkup([buttons]))
    return INVITE_ROLE


async def invite_button(update: Update, context: AppContext) -> int:
    """Guided /invite: a role link, or the new entry's role."""
    query = update.callback_query
    caller = await require_role(update, context, Role.SECRETARIAT)
    if query is None or caller is None:
        return ConversationHandler.END
    match = _INVITE_BUTTON.match(query.data or "")
    stash = context.user_data if context.user_data is not None else {}
    name = stash.pop("invite_name", None)
    unit = stash.pop("invite_unit", "")
    if (
        match is None
        or (match.group(1) == "link" and match.group(2) == "secretariat")
        or (match.group(1) == "new" and not isinstance(name, str))
    ):
        await query.answer(caller.t("core.button_invalid"), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    await query.edit_message_reply_markup(None)
    role = Role(match.group(2))
    if match.group(1) == "link":
        await invite_one_line(update, context, caller, role.value)
    else:
        await create_entry(update, context, caller, str(name), str(unit), role, None)
    return ConversationHandler.END


async def stale_invite_button(update: Update, context: AppContext) -> None:
    """An /invite button outside its form (old, or forged): refuse, change nothing."""
    query = update.callback_query
    caller = await require_role(update, context, Role.SECRETARIAT)
    if query is not None and caller is not None:
        await query.answer(caller.t("core.button_invalid"), show_alert=True)


async def cancel(update: Update, context: AppContext) -> int:
    """Leave the guided form; nothing is created."""
    caller = await identify(update, context)
    if context.user_data is not None:
        context.user_data.pop("invite_name", None)
        context.user_data.pop("invite_unit", None)
    if caller is not None:
        await reply(update, caller.t("roster.cancelled"))
    return ConversationHandler.END


# -- roster CSV sent to the bot ------------------------------------------------------------


async def roster_upload(update: Update, context: AppContext) -> None:
    """A secretariat member sent a roster CSV: check it and show a preview to confirm."""
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
    text = decode_csv(content) if len(content) <= MAX_UPLOAD else None
    if text is None:
        await reply(update, caller.t("roster.upload_unreadable"))
        return
    data = context.bot_data
    plan = plan_import(text, await data.roster.entries())
    if plan.fatal is not None:
        await reply(update, render_problem(caller.language, plan.fatal))
        return
    upload_id = await data.roster.add_upload(caller.person.id, text, data.clock.now())
    lines = [
        caller.t(
            "roster.upload_preview",
            new=plan.count("new"),
            updated=plan.count("updated"),
            unchanged=plan.count("unchanged"),
            rejected=len(plan.problems),
        )
    ]
    lines += [
        render_problem(caller.language, problem) for problem in plan.problems[:PREVIEW_PROBLEMS]
    ]
    if len(plan.problems) > PREVIEW_PROBLEMS:
        lines.append(
            caller.t("roster.upload_more_problems", count=len(plan.problems) - PREVIEW_PROBLEMS)
        )
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
    await reply(update, "\n".join(lines)[:4000], buttons)


async def upload_button(update: Update, context: AppContext) -> None:
    """Confirm or cancel an uploaded roster: only its uploader, only once."""
    query = update.callback_query
    caller = await require_role(update, context, Role.SECRETARIAT)
    if query is None or caller is None:
        return
    match = _UPLOAD_BUTTON.match(query.data or "")
    data = context.bot_data
    status = "imported" if match and match.group(2) == "y" else "cancelled"
    upload = (
        await data.roster.take_upload(int(match.group(1)), caller.person.id, status)
        if match
        else None
    )
    if upload is None:
        await query.answer(caller.t("core.button_invalid"), show_alert=True)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    if status == "cancelled":
        await reply(update, caller.t("roster.upload_cancelled"))
        return
    now = data.clock.now()
    plan = plan_import(upload.content, await data.roster.entries())
    report = await apply_plan(data.roster, plan, username(context), caller.person.id, now)
    await send_report(update, caller, report)
    await sync_stale_menus(context.bot, data.people, data.roster)


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


async def on_startup(app: BotApplication) -> None:
    """Default menus for guests; bring stale personal menus up to date; check the username."""
    data = app.bot_data
    await set_default_menus(app.bot)
    await sync_stale_menus(app.bot, data.people, data.roster)
    real = app.bot.username
    if real and real.lower() != data.settings.bot_username.lower():
        logger.warning(
            "ASSOC_BOT_USERNAME is %s but the bot is @%s: links printed by `roster import`"
            " would be wrong",
            data.settings.bot_username,
            real,
        )


def register(app: BotApplication) -> None:
    """Wire the roster in: menus and /start CODE first, then the commands and buttons."""
    from handlers import join, members, privacy

    app.add_handler(TypeHandler(Update, keep_menu_current), group=-2)
    app.add_handler(CommandHandler("start", start_with_code, has_args=True), group=-1)
    app.add_handler(ChatMemberHandler(chat_member_changed, ChatMemberHandler.MY_CHAT_MEMBER))
    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # Buttons inside the form belong to the person's one open form, tracked per chat.
        warnings.simplefilter("ignore", PTBUserWarning)
        app.add_handler(
            ConversationHandler(
                entry_points=[CommandHandler("invite", invite_command)],
                states={
                    INVITE_NAME: [
                        MessageHandler(text, invite_name),
                        CallbackQueryHandler(invite_button, pattern=r"^iv:"),
                    ],
                    INVITE_UNIT: [MessageHandler(text, invite_unit)],
                    INVITE_ROLE: [CallbackQueryHandler(invite_button, pattern=r"^iv:")],
                },
                fallbacks=[CommandHandler("cancel", cancel)],
                name="invite",
            )
        )
    app.add_handler(CallbackQueryHandler(stale_invite_button, pattern=r"^iv:"))
    app.add_handler(
        MessageHandler(
            filters.ChatType.PRIVATE & filters.Document.FileExtension("csv"), roster_upload
        )
    )
    app.add_handler(CallbackQueryHandler(upload_button, pattern=r"^ri:"))
    join.register(app)
    members.register(app)
    privacy.register(app)
    app.bot_data.startup_hooks.append(on_startup)
