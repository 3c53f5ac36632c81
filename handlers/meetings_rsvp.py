"""Members' side of meetings: RSVP buttons, the reason for a No, the .ics file, /meetings."""

from __future__ import annotations

import re

from telegram import Message, Update
from telegram.ext import ApplicationHandlerStop

from bot.context import AppContext
from bot.i18n import t
from bot.meetings import render
from bot.meetings.rules import TapRefusal, parse_rsvp
from bot.meetings.service import MeetingService, language_of
from handlers.common import identify, reply, reply_document, require_role
from storage.meetings import Invitee, Meeting
from storage.people import Role

__all__ = ["ics_tapped", "my_meetings", "reason_reply", "rsvp_tapped", "service"]

_ICS = re.compile(r"^ics:([1-9]\d{0,9})$")


def service(context: AppContext) -> MeetingService:
    """The meeting service of this Application."""
    return context.bot_data.meetings


async def _edit_invitation(
    message: Message | None, svc: MeetingService, meeting: Meeting, invitee: Invitee
) -> None:
    """Show the invitation under `message` with the current answer (or closed)."""
    if message is None:
        return
    text, markup = await svc.views.invitation(meeting, invitee, language_of(invitee))
    await svc.messenger.edit_text(message.chat_id, message.message_id, text, markup)


_TAP_ALERTS = {
    TapRefusal.NOT_OPEN: "meetings.meeting_not_open",
    TapRefusal.REPLACED: "meetings.invitation_replaced",
    TapRefusal.CLOSED: "meetings.answers_closed_alert",
    TapRefusal.FORGED: "meetings.button_refused",
}


async def rsvp_tapped(update: Update, context: AppContext) -> None:
    """Record a Yes / No / Maybe tap, refusing forged, stale and late buttons without effect."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    svc = service(context)
    rsvp = parse_rsvp(query.data)
    result = await svc.answer_tap(user.id, rsvp) if rsvp else None
    if rsvp is None or result is None or result.invitee is None or result.meeting is None:
        caller = await identify(update, context)
        await query.answer(
            t(caller.language if caller else "en", "meetings.button_refused"), show_alert=True
        )
        return
    meeting, invitee, change = result.meeting, result.invitee, result.change
    language = language_of(invitee)
    message = query.message if isinstance(query.message, Message) else None
    if result.refusal is not None or change is None:
        key = _TAP_ALERTS[result.refusal or TapRefusal.FORGED]
        await query.answer(t(language, key, id=meeting.id), show_alert=True)
        if result.refusal is TapRefusal.CLOSED:
            await _edit_invitation(message, svc, meeting, invitee)
        return
    answer = render.answer_name(language, rsvp.response)
    if not change.changed:
        await query.answer(t(language, "meetings.answer_unchanged", answer=answer))
        return
    position = (
        await svc.waitlist_position(meeting, invitee.person_id) if rsvp.response == "yes" else None
    )
    if position is not None:
        await query.answer(t(language, "meetings.answer_waitlisted", position=position))
    else:
        await query.answer(t(language, "meetings.answer_recorded", answer=answer))
    svc.invitation_changed(
        meeting.id,
        invitee.person_id,
        message.chat_id if message else user.id,
        message.message_id if message else None,
        ask_reason=rsvp.response == "no",
    )


async def reason_reply(update: Update, context: AppContext) -> None:
    """A reply to the reason question after a No is stored as the reason."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None or message.reply_to_message is None or not message.text:
        return
    prompt_id = message.reply_to_message.message_id
    found = await service(context).reasons.store(user.id, prompt_id, message.text)
    if found is None:
        return
    meeting_id, stored = found
    caller = await identify(update, context)
    if caller is not None:
        key = "meetings.reason_saved" if stored else "meetings.reason_not_saved"
        await reply(update, caller.t(key, id=meeting_id))
    raise ApplicationHandlerStop


async def ics_tapped(update: Update, context: AppContext) -> None:
    """Send the meeting as an .ics calendar file to an invited person or the secretariat."""
    query = update.callback_query
    caller = await identify(update, context)
    if query is None or caller is None:
        return
    match = _ICS.match(query.data or "")
    found = (
        await service(context).lookup.calendar_for(int(match.group(1)), caller.person)
        if match
        else None
    )
    if found is None:
        await query.answer(caller.t("meetings.button_refused"), show_alert=True)
        return
    meeting, calendar = found
    await query.answer()
    await reply_document(
        update,
        calendar,
        filename=f"meeting-{meeting.id}.ics",
        caption=caller.t("meetings.ics_caption", id=meeting.id, title=meeting.title),
    )


async def my_meetings(update: Update, context: AppContext) -> None:
    """List my upcoming meetings, each with my answer and buttons to change it."""
    caller = await require_role(update, context, Role.MEMBER)
    if caller is None:
        return
    svc = service(context)
    found = await svc.lookup.upcoming_for(caller.person.id)
    if not found:
        await reply(update, caller.t("meetings.none_upcoming"))
        return
    if len(found) > 10:
        await reply(update, caller.t("meetings.only_first", count=len(found), shown=10))
    for meeting, invitee in found[:10]:
        await reply(update, *await svc.views.invitation(meeting, invitee, caller.language))
