"""Which meeting a secretariat command is about: `ID` after the command, or a picked button."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import AppContext
from bot.meetings.service import MeetingService
from bot.numbers import typed_number
from handlers.common import Caller, reply, require_role, send_usage
from handlers.meetings_form import args_of
from handlers.meetings_rsvp import service
from storage.meetings import Meeting
from storage.people import Role

__all__ = ["PICK_ACTIONS", "meeting_arg", "offer_meetings"]

PICK_ACTIONS = {
    "v": "meeting",
    "r": "remind",
    "e": "export",
    "c": "cancelmeeting",
    "k": "checkin",
    "m": "minutes",
}


async def meeting_arg(
    update: Update, context: AppContext, command: str
) -> tuple[Caller, MeetingService, Meeting | None, list[str]] | None:
    """Authorise, then read `ID [rest]`; bare: offer the upcoming meetings as buttons."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None:
        return None
    svc = service(context)
    words = args_of(update).split()
    if not words:
        await offer_meetings(update, caller, svc, command)
        return None
    number = typed_number(words[0])
    if number is None:
        await send_usage(update, caller, f"meetings.{command}")
        return None
    meeting = await svc.lookup.published(number)
    if meeting is None:
        await reply(update, caller.t("meetings.not_found", id=number))
        return None
    return caller, svc, meeting, words[1:]


async def offer_meetings(update: Update, caller: Caller, svc: MeetingService, command: str) -> None:
    meetings = await svc.lookup.open_meetings()
    if not meetings:
        await reply(update, caller.t("meetings.none_open"))
        await send_usage(update, caller, f"meetings.{command}")
        return
    code = next(key for key, name in PICK_ACTIONS.items() if name == command)
    rows = [
        [InlineKeyboardButton(f"#{m.id} {m.title}"[:60], callback_data=f"mtgpick:{code}:{m.id}")]
        for m in meetings[:20]
    ]
    await reply(update, caller.t("meetings.pick"), InlineKeyboardMarkup(rows))
