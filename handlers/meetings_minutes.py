"""`/minutes ID [to=present]`, then a document or a text: preview, Confirm, notice delivery."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from bot.context import AppContext, BotApplication, MinutesDraft, user_state
from bot.meetings.minutes import MeetingMinutes, MinutesContent
from handlers.common import Caller, drop_buttons, identify, reply, require_role, send_usage
from handlers.meetings_edit import edit_value
from handlers.meetings_pick import meeting_arg
from handlers.meetings_rsvp import service
from storage.meeting_minutes import MinutesAudience
from storage.meetings import Meeting
from storage.people import Role

__all__ = ["minutes_service", "register_minutes"]

# The group of the handler that takes the input a meeting command waits for (the minutes, a
# guided edit's value): before every other group, so neither the file answers nor the
# knowledge base nor the roster take it; with nothing pending it lets the update through.
CONTENT_GROUP = -5  # a group of its own: one handler per group runs
_CONFIRM = re.compile(r"^mtgmin:([1-9]\d{0,9}):([1-9]\d{0,11}):([ip])$")
_PICKED = re.compile(r"^mtgpick:m:([1-9]\d{0,9})$")


def minutes_service(context: AppContext) -> MeetingMinutes:
    """The minutes service of this Application."""
    return context.bot_data.meetings.minutes


async def _begin(
    update: Update, context: AppContext, caller: Caller, meeting: Meeting, audience: MinutesAudience
) -> None:
    refusal = await minutes_service(context).refusal(meeting, audience)
    if refusal == "not_open":
        await reply(update, caller.t("meetings.meeting_not_open", id=meeting.id))
        return
    if refusal == "nobody":
        await reply(update, caller.t("meeting_day.minutes_nobody", id=meeting.id))
        return
    user_state(context).minutes = MinutesDraft(meeting.id, audience)
    await reply(update, caller.t("meeting_day.minutes_ask", id=meeting.id, title=meeting.title))


async def minutes_command(update: Update, context: AppContext) -> None:
    """`/minutes ID [to=present]`: ask for the document or text of the minutes."""
    user_state(context).minutes = None
    found = await meeting_arg(update, context, "minutes")
    if found is None:
        return
    caller, _, meeting, rest = found
    assert meeting is not None
    if rest not in ([], ["to=present"], ["to=invited"]):
        await send_usage(update, caller, "meetings.minutes")
        return
    await _begin(
        update, context, caller, meeting, "present" if rest == ["to=present"] else "invited"
    )


async def minutes_picked(update: Update, context: AppContext) -> None:
    """A meeting picked from the buttons of a bare `/minutes`."""
    query = update.callback_query
    caller = await require_role(update, context, Role.SECRETARIAT)
    match = _PICKED.match(query.data or "") if query else None
    meeting = await service(context).lookup.published(int(match.group(1))) if match else None
    if query is None or caller is None:
        return
    if meeting is None:
        await query.answer(caller.t("meetings.button_refused"), show_alert=True)
        return
    await query.answer()
    await _begin(update, context, caller, meeting, "invited")


async def minutes_content(update: Update, context: AppContext) -> None:
    """The document or text after `/minutes ID`: show the preview with Confirm.

    A guided edit's new value is taken here too (one handler for the input a meeting
    command waits for); with nothing pending, the message is left to the other features.
    """
    state = user_state(context)
    if state.meeting_edit is not None:
        edit, state.meeting_edit = state.meeting_edit, None
        await edit_value(update, context, edit)
        raise ApplicationHandlerStop
    draft = state.minutes
    if draft is None:
        return
    state.minutes = None
    caller = await require_role(update, context, Role.SECRETARIAT)
    message = update.effective_message
    meeting = await service(context).lookup.get(draft.meeting_id)
    if caller is None or message is None or meeting is None:
        raise ApplicationHandlerStop
    if message.document is not None:
        content = MinutesContent(message.caption_html or "", message.document.file_id)
    else:
        content = MinutesContent(message.text_html or "")
    minutes = minutes_service(context)
    notice_id = await minutes.draft(
        meeting, caller.person, message.chat_id, caller.language, content
    )
    if notice_id is None:
        user_state(context).minutes = draft
        await reply(update, caller.t("meeting_day.minutes_too_long"))
        raise ApplicationHandlerStop
    count = await minutes.recipients(meeting, draft.audience)
    button = InlineKeyboardButton(
        caller.t("meeting_day.minutes_button_confirm"),
        callback_data=f"mtgmin:{meeting.id}:{notice_id}:{draft.audience[0]}",
    )
    text = caller.t(
        "meeting_day.minutes_preview",
        id=meeting.id,
        title=meeting.title,
        count=count,
        audience=caller.t(f"meeting_day.minutes_to_{draft.audience}"),
    )
    await reply(update, text, InlineKeyboardMarkup([[button]]))
    raise ApplicationHandlerStop


async def minutes_confirmed(update: Update, context: AppContext) -> None:
    """Confirm: start the delivery (a second tap sends nothing)."""
    query = update.callback_query
    caller = await require_role(update, context, Role.SECRETARIAT)
    if query is None or caller is None:
        return
    match = _CONFIRM.match(query.data or "")
    meeting = await service(context).lookup.get(int(match.group(1))) if match else None
    if match is None or meeting is None:
        await query.answer(caller.t("meetings.button_refused"), show_alert=True)
        return
    audience: MinutesAudience = "present" if match.group(3) == "p" else "invited"
    total = await minutes_service(context).send(meeting, int(match.group(2)), audience)
    if total == "not_open":
        await query.answer(caller.t("meetings.meeting_not_open", id=meeting.id), show_alert=True)
        await drop_buttons(update)
        return
    if total == "already":
        await query.answer(caller.t("meeting_day.minutes_already"), show_alert=True)
        return
    await query.answer()
    await drop_buttons(update)
    await reply(
        update,
        caller.t("meeting_day.minutes_sending", id=meeting.id, notice=match.group(2), total=total),
    )


async def pending_command(update: Update, context: AppContext) -> None:
    """A command while `/minutes` or a guided edit waits: `/cancel` drops it and says so; any
    other command leaves it and runs as usual."""
    state = user_state(context)
    if state.minutes is None and state.meeting_edit is None:
        return
    state.minutes = state.meeting_edit = None
    message = update.effective_message
    command = (message.text or "").split(maxsplit=1)[0].split("@")[0] if message else ""
    caller = await identify(update, context)
    if command == "/cancel":
        if caller is not None:
            await reply(update, caller.t("meetings.form_cancelled"))
        raise ApplicationHandlerStop
    if caller is not None and command != "/minutes":
        await reply(update, caller.t("core.form_left"))


def register_minutes(app: BotApplication) -> None:
    """Wire /minutes in (its pick button before the generic meeting buttons)."""
    app.add_handler(CommandHandler("minutes", minutes_command))
    app.add_handler(CallbackQueryHandler(minutes_picked, pattern=r"^mtgpick:m:"))
    app.add_handler(CallbackQueryHandler(minutes_confirmed, pattern=r"^mtgmin:"))
    content = (filters.TEXT & ~filters.COMMAND) | filters.Document.ALL
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & content, minutes_content), group=CONTENT_GROUP
    )
    app.add_handler(MessageHandler(filters.COMMAND, pending_command), group=CONTENT_GROUP)
