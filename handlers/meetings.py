"""Secretariat side of meetings: /meeting, /remind, /export, /cancelmeeting; wiring."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.context import AppContext, BotApplication
from bot.meetings import render
from bot.meetings.rules import EntryRefusal, FormError, parse_local_datetime
from bot.meetings.service import MeetingService
from bot.numbers import typed_number
from handlers.common import Caller, reply, reply_document, require_role, send_usage
from handlers.forms import cannot_skip, leave_form
from handlers.meetings_day import (
    checkin_command,
    register_checkin_start,
    register_proxies,
    send_checkin,
    set_presence,
)
from handlers.meetings_edit import edit_field_tapped, edit_meeting_command
from handlers.meetings_form import (
    CALLBACK_ID,
    OPTIONS,
    PLACE,
    TITLE,
    WHEN,
    args_of,
    cancel_conversation,
    confirm_tapped,
    delivery_text,
    got_options,
    got_place,
    got_title,
    got_when,
    newmeeting,
)
from handlers.meetings_minutes import register_minutes
from handlers.meetings_pick import PICK_ACTIONS, meeting_arg
from handlers.meetings_rsvp import ics_tapped, my_meetings, reason_reply, rsvp_tapped, service
from storage.meetings import RESPONSES, Meeting
from storage.people import Role

__all__ = ["register", "register_checkin_start"]


async def _show(
    update: Update,
    caller: Caller,
    svc: MeetingService,
    meeting: Meeting,
    page: int,
    message: Message | None = None,
) -> None:
    pages = await svc.views.pages(meeting, caller.language)
    page = max(0, min(page, len(pages) - 1))
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("◀", callback_data=f"mtgpage:{meeting.id}:{page - 1}"))
    if len(pages) > 1:
        nav.append(
            InlineKeyboardButton(
                f"{page + 1}/{len(pages)}", callback_data=f"mtgpage:{meeting.id}:{page}"
            )
        )
    if page < len(pages) - 1:
        nav.append(InlineKeyboardButton("▶", callback_data=f"mtgpage:{meeting.id}:{page + 1}"))
    markup = InlineKeyboardMarkup([nav]) if nav else None
    if message is not None:
        await svc.messenger.edit_text(message.chat_id, message.message_id, pages[page], markup)
    else:
        await reply(update, pages[page], markup)


async def meeting_command(update: Update, context: AppContext) -> None:
    """`/meeting ID`: the view; `/meeting ID set PERSON ANSWER [reason]`; `/meeting ID move ...`."""
    found = await meeting_arg(update, context, "meeting")
    if found is None:
        return
    caller, svc, meeting, rest = found
    assert meeting is not None
    if not rest:
        await _show(update, caller, svc, meeting, 0)
    elif rest[0] == "set":
        await _set_answer(update, caller, svc, meeting, rest[1:])
    elif rest[0] == "edit":
        await edit_meeting_command(
            update, caller, svc, meeting, args_of(update).split("edit", 1)[1].strip()
        )
    elif rest[0] in ("present", "absent"):
        await set_presence(update, caller, svc, meeting, rest[1:], rest[0] == "present")
    elif rest[0] == "move":
        await _move(update, caller, svc, meeting, args_of(update).split("move", 1)[1])
    else:
        await send_usage(update, caller, "meetings.meeting")


async def _set_answer(
    update: Update, caller: Caller, svc: MeetingService, meeting: Meeting, words: list[str]
) -> None:
    person_id = typed_number(words[0]) if words else None
    if len(words) < 2 or person_id is None or words[1] not in RESPONSES:
        await send_usage(update, caller, "meetings.meeting")
        return
    response = RESPONSES[RESPONSES.index(words[1])]
    entry = await svc.by_hand.set_answer(
        meeting, person_id, response, " ".join(words[2:]), caller.person
    )
    if entry.refusal is EntryRefusal.NOT_INVITED:
        key = "meetings.not_invited_person"
    elif entry.refusal is not None:
        key = "meetings.meeting_not_open"
    else:
        key = "meetings.answer_set"
    name = entry.invitee.name if entry.invitee else ""
    answer = render.answer_name(caller.language, response)
    await reply(update, caller.t(key, id=meeting.id, person=person_id, name=name, answer=answer))


async def _move(
    update: Update, caller: Caller, svc: MeetingService, meeting: Meeting, rest: str
) -> None:
    when_text, _, place = (part.strip() for part in rest.partition("|"))
    try:
        starts_at = parse_local_datetime(when_text, svc.tz) if when_text else meeting.starts_at
    except FormError:
        await send_usage(update, caller, "meetings.meeting")
        return
    move = await svc.move(meeting, starts_at, place or meeting.place)
    if move.refusal in ("past", "unchanged"):
        await send_usage(update, caller, "meetings.meeting")
    elif move.meeting is None or move.delivery is None:
        await reply(update, caller.t("meetings.meeting_not_open", id=meeting.id))
    else:
        await reply(
            update, delivery_text(caller, "meetings.moved_done", move.meeting, move.delivery)
        )


async def remind_command(update: Update, context: AppContext) -> None:
    """`/remind ID`: nudge those who have not answered, now."""
    found = await meeting_arg(update, context, "remind")
    if found is not None:
        await _remind(update, *found[:3])


async def _remind(
    update: Update, caller: Caller, svc: MeetingService, meeting: Meeting | None
) -> None:
    assert meeting is not None
    delivery = await svc.remind(meeting, "deadline")
    if delivery is None:
        await reply(update, caller.t("meetings.meeting_not_open", id=meeting.id))
        return
    await reply(update, delivery_text(caller, "meetings.reminded", meeting, delivery))


async def export_command(update: Update, context: AppContext) -> None:
    """`/export ID`: the answers as a CSV file."""
    found = await meeting_arg(update, context, "export")
    if found is not None:
        await _export(update, *found[:3])


async def _export(
    update: Update, caller: Caller, svc: MeetingService, meeting: Meeting | None
) -> None:
    assert meeting is not None
    answers = await svc.lookup.answers_file(meeting)
    await reply_document(
        update,
        InputFile(answers, filename=f"meeting-{meeting.id}-rsvps.csv"),
        caption=caller.t("meetings.export_caption", id=meeting.id, title=meeting.title),
    )
    attendance = await svc.lookup.attendance_file(meeting)
    await reply_document(
        update,
        InputFile(attendance, filename=f"meeting-{meeting.id}-attendance.csv"),
        caption=caller.t("meeting_day.attendance_caption", id=meeting.id, title=meeting.title),
    )


async def cancelmeeting_command(update: Update, context: AppContext) -> None:
    """`/cancelmeeting ID`: ask for confirmation with a button."""
    found = await meeting_arg(update, context, "cancelmeeting")
    if found is not None:
        await _ask_cancel(update, *found[:3])


async def _ask_cancel(
    update: Update, caller: Caller, svc: MeetingService, meeting: Meeting | None
) -> None:
    assert meeting is not None
    if not svc.may_cancel(meeting):
        await reply(update, caller.t("meetings.meeting_not_open", id=meeting.id))
        return
    button = InlineKeyboardButton(
        caller.t("meetings.button_confirm_cancel"), callback_data=f"mtgcancel:{meeting.id}"
    )
    await reply(
        update,
        caller.t("meetings.cancel_ask", id=meeting.id, title=meeting.title),
        InlineKeyboardMarkup([[button]]),
    )


async def secretariat_tapped(update: Update, context: AppContext) -> None:
    """Buttons of the secretariat: page, pick a meeting, confirm a cancellation."""
    query = update.callback_query
    caller = await require_role(update, context, Role.SECRETARIAT)
    if query is None or caller is None:
        return
    data = query.data or ""
    svc = service(context)
    page = re.match(rf"^mtgpage:{CALLBACK_ID}:(\d{{1,4}})$", data)
    pick = re.match(rf"^mtgpick:([vreckm]):{CALLBACK_ID}$", data)
    cancel = re.match(rf"^mtgcancel:{CALLBACK_ID}$", data)
    match = page or pick or cancel
    meeting = await svc.lookup.published(int(match.group(2 if pick else 1))) if match else None
    if meeting is None:
        await query.answer(caller.t("meetings.button_refused"), show_alert=True)
        return
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if page:
        await _show(
            update,
            caller,
            svc,
            meeting,
            int(page.group(2)),
            message if message and message.message_id != meeting.summary_message_id else None,
        )
    elif pick:
        action = PICK_ACTIONS[pick.group(1)]
        if action == "meeting":
            await _show(update, caller, svc, meeting, 0)
        elif action == "remind":
            await _remind(update, caller, svc, meeting)
        elif action == "export":
            await _export(update, caller, svc, meeting)
        elif action == "checkin":
            await send_checkin(update, context, caller, svc, meeting)
        else:
            await _ask_cancel(update, caller, svc, meeting)
    else:
        delivery = await svc.cancel(meeting)
        if delivery is None:
            await reply(update, caller.t("meetings.meeting_not_open", id=meeting.id))
        else:
            await reply(update, delivery_text(caller, "meetings.cancelled_done", meeting, delivery))


def register(app: BotApplication) -> None:
    """Wire the meeting commands, buttons and conversation in."""
    text = filters.TEXT & ~filters.COMMAND
    app.add_handler(
        MessageHandler(filters.REPLY & text & filters.ChatType.PRIVATE, reason_reply), group=-1
    )
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("newmeeting", newmeeting)],
            states={
                TITLE: [MessageHandler(text, got_title), CommandHandler("skip", cannot_skip)],
                WHEN: [MessageHandler(text, got_when), CommandHandler("skip", cannot_skip)],
                PLACE: [MessageHandler(text, got_place), CommandHandler("skip", cannot_skip)],
                OPTIONS: [MessageHandler(text, got_options), CommandHandler("skip", got_options)],
            },
            fallbacks=[CommandHandler("cancel", cancel_conversation), *leave_form("newmeeting")],
            name="newmeeting",
        )
    )
    app.add_handler(CommandHandler("meeting", meeting_command))
    app.add_handler(CommandHandler("meetings", my_meetings))
    app.add_handler(CommandHandler("remind", remind_command))
    app.add_handler(CommandHandler("export", export_command))
    app.add_handler(CommandHandler("checkin", checkin_command))
    register_minutes(app)
    app.add_handler(CallbackQueryHandler(edit_field_tapped, pattern=r"^mtgedit:"))
    register_proxies(app)
    app.add_handler(CommandHandler("cancelmeeting", cancelmeeting_command))
    app.add_handler(CallbackQueryHandler(rsvp_tapped, pattern=r"^rsvp:"))
    app.add_handler(CallbackQueryHandler(ics_tapped, pattern=r"^ics:"))
    app.add_handler(CallbackQueryHandler(confirm_tapped, pattern=r"^mtgok:"))
    app.add_handler(CallbackQueryHandler(secretariat_tapped, pattern=r"^mtg(page|pick|cancel):"))
