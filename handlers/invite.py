"""/invite: a personal link for a new or existing roster entry, or a one-time role link."""

from __future__ import annotations

import re
import warnings

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.context import AppContext, BotApplication, InviteDraft, user_state
from bot.roster.entries import NewEntry
from bot.roster.service import EntryOutcome, RenewOutcome
from handlers.common import Caller, drop_buttons, identify, reply, require_role, send_usage
from handlers.forms import cannot_skip, leave_form
from storage.people import Language, Role
from storage.roster import RosterEntry

__all__ = ["register", "renew_link", "username"]

INVITE_NAME, INVITE_UNIT, INVITE_ROLE = range(3)
_ROLE_WORDS = {
    "member": Role.MEMBER,
    "council": Role.COUNCIL,
    "secretariat": Role.SECRETARIAT,
    "会员": Role.MEMBER,
    "理事": Role.COUNCIL,
    "秘书处": Role.SECRETARIAT,
}
_INVITE_BUTTON = re.compile(r"^iv:(link|new):(member|council|secretariat)$")


def username(context: AppContext) -> str:
    """The bot's username for links: Telegram's answer to getMe, else the setting."""
    return context.bot.username or context.bot_data.settings.bot_username


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
    role = _ROLE_WORDS.get(text.lower())
    if role in (Role.MEMBER, Role.COUNCIL):
        roster = context.bot_data.roster_service
        link = await roster.role_link(role, username(context), caller.person)
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
    *,
    namesake_checked: bool = False,
    secretariat_confirmed: bool = False,
) -> None:
    """Add a roster entry and show its personal link; first, offer the namesake already there,
    and ask before adding someone as secretariat."""
    entry = NewEntry(name, unit, role, language)
    result = await context.bot_data.roster_service.add_entry(
        entry,
        username(context),
        caller.person,
        namesake_checked=namesake_checked,
        secretariat_confirmed=secretariat_confirmed,
    )
    if result.outcome is EntryOutcome.NAMESAKE and result.existing is not None:
        user_state(context).namesake_entry = entry
        await offer_namesake(update, caller, result.existing, role)
        return
    if result.outcome is EntryOutcome.ASK_SECRETARIAT:
        user_state(context).secretariat_entry = entry
        button = InlineKeyboardButton(
            caller.t("roster.invite_secretariat_confirm"), callback_data="iv:sec"
        )
        text = caller.t("roster.invite_secretariat_ask", name=name, unit=unit or "—")
        await reply(update, text, InlineKeyboardMarkup([[button]]))
        return
    await reply(
        update,
        caller.t(
            "roster.invite_entry_made",
            id=result.person_id,
            name=name,
            role=caller.t(f"core.role_{role.value}"),
            link=result.link,
        ),
    )


async def offer_namesake(update: Update, caller: Caller, existing: RosterEntry, role: Role) -> None:
    """Say that the person is on the roster; offer their link, their card, or a new entry."""
    if existing.role is Role.GUEST:
        key, account = "roster.invite_namesake_removed", ""
    else:
        key = "roster.invite_namesake"
        account = caller.t(
            "roster.card_unbound" if existing.telegram_id is None else "roster.card_reachable"
        )
    text = caller.t(
        key,
        id=existing.id,
        name=existing.name,
        unit=existing.unit or "—",
        role=caller.t(f"core.role_{existing.role.value}"),
        account=account,
    )
    first = []
    if existing.role is Role.GUEST:
        first.append(
            InlineKeyboardButton(
                caller.t(
                    "roster.invite_namesake_restore", role=caller.t(f"core.role_{role.value}")
                ),
                callback_data=f"mb:r:{existing.id}:{role.value}",
            )
        )
    elif existing.telegram_id is None:
        first.append(
            InlineKeyboardButton(
                caller.t("roster.invite_namesake_link", id=existing.id),
                callback_data=f"mb:i:{existing.id}",
            )
        )
    first.append(
        InlineKeyboardButton(
            caller.t("roster.invite_namesake_open", id=existing.id),
            callback_data=f"mb:p:{existing.id}",
        )
    )
    anyway = InlineKeyboardButton(caller.t("roster.invite_namesake_new"), callback_data="iv:dup")
    await reply(update, text, InlineKeyboardMarkup([first, [anyway]]))


async def held_entry_button(update: Update, context: AppContext) -> None:
    """Add the entry /invite held back: anyway, beside its namesake (`iv:dup`), or as
    secretariat once a secretariat member confirmed it (`iv:sec`)."""
    query = update.callback_query
    caller = await require_role(update, context, Role.SECRETARIAT)
    if query is None or caller is None:
        return
    state = user_state(context)
    confirming_secretariat = query.data == "iv:sec"
    if confirming_secretariat:
        pending, state.secretariat_entry = state.secretariat_entry, None
    else:
        pending, state.namesake_entry = state.namesake_entry, None
    if pending is None:
        await query.answer(caller.t("core.button_invalid"), show_alert=True)
        return
    await query.answer()
    await drop_buttons(update)
    await create_entry(
        update,
        context,
        caller,
        pending.name,
        pending.unit,
        pending.role,
        pending.language,
        namesake_checked=True,
        secretariat_confirmed=confirming_secretariat,
    )


async def renew_link(update: Update, context: AppContext, caller: Caller, person_id: int) -> None:
    """A new personal link for an entry not yet bound (older ones stop working)."""
    roster = context.bot_data.roster_service
    outcome, person, link = await roster.renew_link(person_id, username(context), caller.person)
    if person is None or outcome is RenewOutcome.NO_ENTRY:
        await reply(update, caller.t("roster.no_entry", id=person_id))
        return
    if outcome is RenewOutcome.ALREADY_BOUND:
        await reply(update, caller.t("roster.already_bound", name=person.name))
        return
    await reply(
        update,
        caller.t(
            "roster.invite_entry_made",
            id=person.id,
            name=person.name,
            role=caller.t(f"core.role_{person.role.value}"),
            link=link,
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
    user_state(context).invite.name = name
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
    user_state(context).invite.unit = unit
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
    state = user_state(context)
    name, unit = state.invite.name, state.invite.unit or ""
    state.invite = InviteDraft()
    if (
        match is None
        or (match.group(1) == "link" and match.group(2) == "secretariat")
        or (match.group(1) == "new" and name is None)
    ):
        await query.answer(caller.t("core.button_invalid"), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    await drop_buttons(update)
    role = Role(match.group(2))
    if match.group(1) == "link":
        await invite_one_line(update, context, caller, role.value)
    else:
        await create_entry(update, context, caller, name or "", unit, role, None)
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
    user_state(context).invite = InviteDraft()
    if caller is not None:
        await reply(update, caller.t("roster.cancelled"))
    return ConversationHandler.END


def register(app: BotApplication) -> None:
    """Wire /invite (one-line and guided) in."""
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
                        CommandHandler("skip", cannot_skip),
                    ],
                    INVITE_UNIT: [
                        MessageHandler(text, invite_unit),
                        CommandHandler("skip", cannot_skip),
                    ],
                    INVITE_ROLE: [CallbackQueryHandler(invite_button, pattern=r"^iv:")],
                },
                fallbacks=[CommandHandler("cancel", cancel), *leave_form("invite")],
                name="invite",
            )
        )
    app.add_handler(CallbackQueryHandler(held_entry_button, pattern=r"^iv:(dup|sec)$"))
    app.add_handler(CallbackQueryHandler(stale_invite_button, pattern=r"^iv:"))
