"""Role changes from a person's card: a change to or from the secretariat asks first."""

from __future__ import annotations

import html
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.context import AppContext
from bot.i18n import t
from bot.roster.menus import sync_person
from bot.roster.reach import announce_joined
from bot.roster.roles import audit_action, needs_confirmation
from handlers.common import Caller, edit_tapped
from storage.people import Person, Role

__all__ = ["change_role", "tell_person"]

logger = logging.getLogger(__name__)


def _role(caller: Caller, role: Role) -> str:
    return caller.t(f"core.role_{role.value}")


async def _ask_first(update: Update, caller: Caller, person: Person, role: Role) -> None:
    """Ask before a person gains or loses the secretariat's rights."""
    query = update.callback_query
    assert query is not None
    key = "roster.grant_secretariat_ask" if role is Role.SECRETARIAT else "roster.revoke_ask"
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    caller.t("roster.role_confirm", role=_role(caller, role)),
                    callback_data=f"mb:R:{person.id}:{role.value}",
                ),
                InlineKeyboardButton(caller.t("roster.back"), callback_data=f"mb:p:{person.id}"),
            ]
        ]
    )
    await query.answer()
    await edit_tapped(update, caller.t(key, name=person.name, role=_role(caller, role)), markup)


async def change_role(
    update: Update,
    context: AppContext,
    caller: Caller,
    person_id: int,
    role: Role,
    confirmed: bool,
) -> bool:
    """Give a person another role (guest = removed), tell them, update their menu and meetings.

    A change to or from the secretariat, or a removal, asks first unless `confirmed`. True
    when the role was changed (the card is then redrawn).
    """
    query = update.callback_query
    assert query is not None
    data = context.bot_data
    person = await data.people.get(person_id)
    if person is None or (not person.name and person.telegram_id is None):
        await query.answer(caller.t("core.button_invalid"), show_alert=True)
        return False
    if person.id == caller.person.id:
        await query.answer(caller.t("roster.not_yourself"), show_alert=True)
        return False
    if person.role is role:
        await query.answer()
        return False
    if needs_confirmation(person.role, role) and not confirmed:
        await _ask_first(update, caller, person, role)
        return False
    action = audit_action(person.role, role)
    old = await data.roster.change_role(person.id, role, caller.person.id, data.clock.now(), action)
    if old is None:
        await query.answer(caller.t("core.button_invalid"), show_alert=True)
        return False
    alert = caller.t("roster.role_done", name=person.name, role=_role(caller, role))
    await query.answer(html.unescape(alert))
    await tell_person(context, person, role)
    await sync_person(context.bot, data.people, data.roster, person.id)
    if role is not Role.GUEST:
        await announce_joined(data.joined_hooks, person.id)
    return True


async def tell_person(context: AppContext, person: Person, role: Role) -> None:
    """Tell the person about their new role (or that they left the roster)."""
    if person.telegram_id is None or not person.reachable:
        return
    language = person.spoken_language
    if role is Role.GUEST:
        text = t(language, "roster.you_were_removed")
    else:
        text = t(language, "roster.your_role", role=t(language, f"core.role_{role.value}"))
    try:
        await context.bot_data.messenger.send(person.telegram_id, text)
    except TelegramError as error:
        logger.warning("could not tell person %s of their role: %s", person.id, error)
