"""Role changes from a person's card: a change to or from the secretariat asks first."""

from __future__ import annotations

import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import AppContext
from bot.roster.service import RoleOutcome
from handlers.common import Caller, edit_tapped
from storage.people import Person, Role

__all__ = ["change_role"]


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
    """Give a person another role (guest = removed); the roster service tells them and updates
    their menu and meetings.

    A change to or from the secretariat, or a removal, asks first unless `confirmed`. True
    when the role was changed (the card is then redrawn).
    """
    query = update.callback_query
    assert query is not None
    roster = context.bot_data.roster_service
    change = await roster.change_role(caller.person, person_id, role, confirmed=confirmed)
    person = change.person
    if change.outcome is RoleOutcome.INVALID or person is None:
        await query.answer(caller.t("core.button_invalid"), show_alert=True)
    elif change.outcome is RoleOutcome.YOURSELF:
        await query.answer(caller.t("roster.not_yourself"), show_alert=True)
    elif change.outcome is RoleOutcome.UNCHANGED:
        await query.answer()
    elif change.outcome is RoleOutcome.ASK_FIRST:
        await _ask_first(update, caller, person, role)
    else:
        alert = caller.t("roster.role_done", name=person.name, role=_role(caller, role))
        await query.answer(html.unescape(alert))
        return True
    return False
