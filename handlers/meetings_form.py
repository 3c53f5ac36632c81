"""The guided and one-line /newmeeting, its preview and the Confirm button."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import ConversationHandler

from bot.context import AppContext, MeetingFormDraft, user_state
from bot.meetings import render
from bot.meetings.render import summary_keyboard
from bot.meetings.rules import FormError, guided_error, parse_meeting
from bot.meetings.service import Delivery
from handlers.common import Caller, reply, require_role
from handlers.meetings_rsvp import service
from storage.meetings import Meeting
from storage.people import Role

__all__ = [
    "OPTIONS",
    "PLACE",
    "TITLE",
    "WHEN",
    "args_of",
    "cancel_conversation",
    "confirm_tapped",
    "delivery_text",
    "got_options",
    "got_place",
    "got_title",
    "got_when",
    "newmeeting",
]

TITLE, WHEN, PLACE, OPTIONS = range(4)
CALLBACK_ID = r"([1-9]\d{0,9})"


def args_of(update: Update) -> str:
    """The text after the command."""
    message = update.effective_message
    text = message.text if message and message.text else ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


async def _form_error(update: Update, caller: Caller, error: FormError) -> None:
    usage = caller.t(
        "core.usage",
        usage=caller.t("meetings.newmeeting_usage"),
        example=caller.t("meetings.newmeeting_example"),
    )
    await reply(update, caller.t(f"meetings.error_{error.field}") + "\n\n" + usage)


async def _preview(update: Update, context: AppContext, caller: Caller, form: str) -> bool:
    """Parse a one-line form and show its preview with Confirm; False when the form is wrong."""
    svc = service(context)
    try:
        new = parse_meeting(form, svc.tz, svc.now())
    except FormError as error:
        await _form_error(update, caller, error)
        return False
    meeting = await svc.create_draft(new, caller.person)
    people = await svc.audience(new.audience)
    unbound = sum(person.telegram_id is None for person in people)
    text = render.preview_text(new, meeting.id, len(people), unbound, caller.language, svc.tz)
    button = InlineKeyboardButton(
        caller.t("meetings.button_confirm"), callback_data=f"mtgok:{meeting.id}"
    )
    await reply(update, text, InlineKeyboardMarkup([[button]]))
    return True


async def newmeeting(update: Update, context: AppContext) -> int:
    """One-line form: preview at once; bare: start the guided conversation."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None:
        return ConversationHandler.END
    form = args_of(update)
    if form:
        await _preview(update, context, caller, form)
        return ConversationHandler.END
    user_state(context).meeting_form = MeetingFormDraft()
    await reply(update, caller.t("meetings.ask_title"))
    return TITLE


async def _guided_step(
    update: Update, context: AppContext, field: str
) -> tuple[Caller, MeetingFormDraft] | None:
    """Authorise, then keep the typed answer as the draft's `field`."""
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None or context.user_data is None:
        return None
    state = context.user_data
    draft = state.meeting_form = state.meeting_form or MeetingFormDraft()
    message = update.effective_message
    setattr(draft, field, (message.text or "").strip() if message else "")
    return caller, draft


async def got_title(update: Update, context: AppContext) -> int:
    """Store the title; ask for the time."""
    step = await _guided_step(update, context, "title")
    if step is None:
        return ConversationHandler.END
    caller, draft = step
    svc = service(context)
    if guided_error("title", draft.title, svc.tz, svc.now()):
        await reply(update, caller.t("meetings.error_title"))
        return TITLE
    await reply(update, caller.t("meetings.ask_when"))
    return WHEN


async def got_when(update: Update, context: AppContext) -> int:
    """Store the time (checked); ask for the place."""
    step = await _guided_step(update, context, "when")
    if step is None:
        return ConversationHandler.END
    caller, draft = step
    svc = service(context)
    error = guided_error("when", draft.when, svc.tz, svc.now())
    if error:
        await reply(
            update, caller.t(f"meetings.error_{error}") + "\n" + caller.t("meetings.ask_when")
        )
        return WHEN
    await reply(update, caller.t("meetings.ask_place"))
    return PLACE


async def got_place(update: Update, context: AppContext) -> int:
    """Store the place; ask for agenda and options."""
    step = await _guided_step(update, context, "place")
    if step is None:
        return ConversationHandler.END
    caller, draft = step
    svc = service(context)
    if guided_error("place", draft.place, svc.tz, svc.now()):
        await reply(update, caller.t("meetings.error_place"))
        return PLACE
    await reply(update, caller.t("meetings.ask_options"))
    return OPTIONS


async def got_options(update: Update, context: AppContext) -> int:
    """Build the one-line form from the answers and show the preview (or ask again)."""
    step = await _guided_step(update, context, "options")
    if step is None:
        return ConversationHandler.END
    caller, draft = step
    options = draft.options
    if update.effective_message and (update.effective_message.text or "").startswith("/skip"):
        options = ""
    parts = [part.strip() for part in options.split("|") if part.strip()]
    if parts and "=" not in parts[0]:
        parts[0] = f"agenda={parts[0]}"
    form = " | ".join([draft.title, draft.when, draft.place, *parts])
    if await _preview(update, context, caller, form):
        user_state(context).meeting_form = None
        return ConversationHandler.END
    await reply(update, caller.t("meetings.ask_options"))
    return OPTIONS


async def cancel_conversation(update: Update, context: AppContext) -> int:
    """Leave the guided form without creating anything."""
    user_state(context).meeting_form = None
    caller = await require_role(update, context, Role.GUEST)
    if caller is not None:
        await reply(update, caller.t("meetings.form_cancelled"))
    return ConversationHandler.END


async def confirm_tapped(update: Update, context: AppContext) -> None:
    """Confirm a previewed meeting: invite, then turn the preview into the live summary."""
    query = update.callback_query
    caller = await require_role(update, context, Role.SECRETARIAT)
    if query is None or caller is None:
        return
    match = re.match(rf"^mtgok:{CALLBACK_ID}$", query.data or "")
    svc = service(context)
    opening = await svc.confirm(int(match.group(1))) if match else None
    if opening is None:
        await query.answer(caller.t("meetings.already_confirmed"), show_alert=True)
        return
    await query.answer(caller.t("meetings.sending"))
    delivery = await svc.send_invitations(opening)
    opened = opening.meeting
    message = query.message if isinstance(query.message, Message) else None
    tally = await svc.tally(opened)
    summary = render.summary_text(opened, tally, caller.language, svc.tz)
    if message is not None:
        await svc.messenger.edit_text(
            message.chat_id, message.message_id, summary, summary_keyboard(opened, caller.language)
        )
        await svc.attach_summary(opened.id, message.chat_id, message.message_id, caller.language)
    await reply(update, delivery_text(caller, "meetings.invitations_sent", opened, delivery))


def delivery_text(caller: Caller, key: str, meeting: Meeting, delivery: Delivery) -> str:
    """How a round of messages went, in the caller's language."""
    return caller.t(
        key,
        id=meeting.id,
        sent=delivery.sent,
        unreachable=delivery.unreachable,
        failed=delivery.failed,
    )
