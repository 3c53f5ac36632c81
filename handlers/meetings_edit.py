"""`/meeting ID edit [key=value | ...]`: change title, place, agenda, deadline or capacity."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import AppContext, MeetingEditDraft, user_state
from bot.meetings.editing import EDITABLE, edit_meeting, may_edit
from bot.meetings.service import MeetingService
from handlers.common import Caller, reply, require_role
from handlers.meetings_rsvp import service
from storage.meetings import Meeting
from storage.people import Role

__all__ = ["edit_field_tapped", "edit_meeting_command", "edit_value"]

_FIELD = re.compile(rf"^mtgedit:([1-9]\d{{0,9}}):({'|'.join(EDITABLE)})$")


async def _usage(update: Update, caller: Caller, field: str) -> None:
    usage = caller.t(
        "core.usage",
        usage=caller.t("meeting_day.edit_usage"),
        example=caller.t("meeting_day.edit_example"),
    )
    await reply(update, caller.t(f"meetings.error_{field}") + "\n\n" + usage)


async def _apply(
    update: Update, caller: Caller, svc: MeetingService, meeting: Meeting, text: str
) -> None:
    edit = await edit_meeting(svc, meeting, text)
    outcome = edit.outcome
    if edit.refusal == "form":
        await _usage(update, caller, edit.field)
        return
    if edit.refusal == "nothing":
        await reply(update, caller.t("meeting_day.edit_nothing", id=meeting.id))
        return
    if outcome is None:
        await reply(update, caller.t("meetings.meeting_not_open", id=meeting.id))
        return
    fields = ", ".join(caller.t(f"meeting_day.field_{name}") for name in outcome.changed)
    text = caller.t("meeting_day.edited", id=meeting.id, fields=fields, redrawn=outcome.redrawn)
    if outcome.told is not None:
        text += "\n" + caller.t(
            "meeting_day.edited_told", sent=outcome.told.sent, unreachable=outcome.told.unreachable
        )
    await reply(update, text)


async def edit_meeting_command(
    update: Update, caller: Caller, svc: MeetingService, meeting: Meeting, text: str
) -> None:
    """One line applies the options; bare, the fields are offered as buttons."""
    if text:
        await _apply(update, caller, svc, meeting, text)
        return
    rows = [
        [
            InlineKeyboardButton(
                caller.t(f"meeting_day.field_{name}"), callback_data=f"mtgedit:{meeting.id}:{name}"
            )
        ]
        for name in EDITABLE
    ]
    await reply(
        update,
        caller.t("meeting_day.edit_pick", id=meeting.id, title=meeting.title),
        InlineKeyboardMarkup(rows),
    )


async def edit_field_tapped(update: Update, context: AppContext) -> None:
    """A field picked for the guided edit: ask for its new value."""
    query = update.callback_query
    caller = await require_role(update, context, Role.SECRETARIAT)
    if query is None or caller is None:
        return
    match = _FIELD.match(query.data or "")
    meeting = await service(context).lookup.get(int(match.group(1))) if match else None
    if match is None or meeting is None or not may_edit(meeting):
        await query.answer(caller.t("meetings.button_refused"), show_alert=True)
        return
    await query.answer()
    user_state(context).meeting_edit = MeetingEditDraft(meeting.id, match.group(2))
    await reply(update, caller.t(f"meeting_day.edit_ask_{match.group(2)}", id=meeting.id))


async def edit_value(update: Update, context: AppContext, draft: MeetingEditDraft) -> None:
    """The new value of the field picked for the guided edit."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    message = update.effective_message
    svc = service(context)
    meeting = await svc.lookup.get(draft.meeting_id)
    if caller is None or message is None or meeting is None or not message.text:
        return
    await _apply(update, caller, svc, meeting, f"{draft.field}={message.text.strip()}")
