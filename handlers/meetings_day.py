"""The meeting day: /checkin ID, `/start in<ID>_<CODE>`, and presence recorded by hand."""

from __future__ import annotations

import re

from telegram import InputFile, Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, filters

from bot.context import AppContext, BotApplication
from bot.i18n import t
from bot.meetings.attendance import (
    CHECKIN_CLOSES_AFTER,
    CHECKIN_OPENS_BEFORE,
    parse_checkin_payload,
)
from bot.meetings.day_view import local_clock
from bot.meetings.render import format_datetime
from bot.meetings.service import MeetingService
from bot.numbers import typed_number
from handlers.common import (
    Caller,
    drop_buttons,
    edit_tapped,
    identify,
    reply,
    reply_photo,
    send_usage,
)
from handlers.meetings_pick import meeting_arg
from handlers.meetings_rsvp import service
from handlers.roster import start_with_code
from storage.meetings import Meeting

__all__ = [
    "checkin_command",
    "checkin_start",
    "proxy_tapped",
    "register_checkin_start",
    "register_proxies",
    "set_presence",
]

_PROXY = re.compile(r"^proxy(no|list)?:([1-9]\d{0,9})(?::([1-9]\d{0,11}))?$")


async def checkin_command(update: Update, context: AppContext) -> None:
    """`/checkin ID`: the meeting's check-in QR code and link."""
    found = await meeting_arg(update, context, "checkin")
    if found is not None:
        await send_checkin(update, context, found[0], found[1], found[2])


async def send_checkin(
    update: Update,
    context: AppContext,
    caller: Caller,
    svc: MeetingService,
    meeting: Meeting | None,
) -> None:
    """Send the QR code picture with the link as text."""
    assert meeting is not None
    if meeting.status != "open":
        await reply(update, caller.t("meetings.meeting_not_open", id=meeting.id))
        return
    link, png = await svc.day.checkin_link(meeting, context.bot.username)
    opens = format_datetime(meeting.starts_at - CHECKIN_OPENS_BEFORE, svc.tz, caller.language)
    closes = format_datetime(meeting.starts_at + CHECKIN_CLOSES_AFTER, svc.tz, caller.language)
    caption = caller.t(
        "meeting_day.checkin_caption",
        id=meeting.id,
        title=meeting.title,
        link=link,
        opens=opens,
        closes=closes,
    )
    await reply_photo(
        update, InputFile(png, filename=f"meeting-{meeting.id}-checkin.png"), caption=caption
    )


async def checkin_start(update: Update, context: AppContext) -> None:
    """`/start in<ID>_<CODE>` (the check-in link): record the person who opened it present."""
    argument = (context.args or [""])[0]
    svc = service(context)
    if await svc.lookup.is_invite_code(argument):
        await start_with_code(update, context)  # an invite code that looks like a check-in
        return
    chat = update.effective_chat
    caller = await identify(update, context)
    payload = parse_checkin_payload(argument)
    if caller is None or chat is None or chat.type != ChatType.PRIVATE:
        return
    if payload is None:
        await reply(update, caller.t("meeting_day.checkin_malformed"))
        raise ApplicationHandlerStop
    outcome = await svc.day.check_in(payload, caller.person.id)
    meeting = outcome.meeting
    values: dict[str, object] = {"id": payload.meeting_id}
    if meeting is not None:
        values.update(
            title=meeting.title,
            opens=format_datetime(
                meeting.starts_at - CHECKIN_OPENS_BEFORE, svc.tz, caller.language
            ),
            closes=format_datetime(
                meeting.starts_at + CHECKIN_CLOSES_AFTER, svc.tz, caller.language
            ),
            other=outcome.other_id or 0,
        )
    if outcome.change is not None:
        values["time"] = local_clock(outcome.change.checked_in_at, svc.tz)
    key = f"meeting_day.checkin_{outcome.status}"
    if outcome.status == "recorded" and outcome.change is not None and outcome.change.walk_in:
        key = "meeting_day.checkin_walk_in"
    await reply(update, caller.t(key, **values))
    raise ApplicationHandlerStop


async def set_presence(
    update: Update,
    caller: Caller,
    svc: MeetingService,
    meeting: Meeting,
    words: list[str],
    present: bool,
) -> None:
    """`/meeting ID present|absent PERSON_ID`: record or undo a presence by hand, audited."""
    person_id = typed_number(words[0]) if len(words) == 1 else None
    if person_id is None:
        await send_usage(update, caller, "meetings.meeting")
        return
    entry = await svc.by_hand.set_presence(meeting, person_id, present, caller.person)
    person = entry.person
    if person is None:
        await reply(update, caller.t("meeting_day.no_person", person=person_id))
        return
    if entry.refusal is not None:
        await reply(update, caller.t("meetings.meeting_not_open", id=meeting.id))
        return
    state = "present" if present else "absent"
    key = f"meeting_day.set_{state}" if entry.changed else f"meeting_day.already_{state}"
    await reply(update, caller.t(key, id=meeting.id, name=person.name or f"#{person.id}"))


def register_checkin_start(app: BotApplication) -> None:
    """Wire `/start in<ID>_<CODE>` in ahead of `/start CODE` (both in group -1)."""
    app.add_handler(
        CommandHandler(
            "start",
            checkin_start,
            filters=filters.Regex(r"^/start(@\w+)?\s+in\d+_"),
            has_args=True,
        ),
        group=-1,
    )


async def proxy_tapped(update: Update, context: AppContext) -> None:
    """`proxylist:M` lists who can hold; `proxy:M:HOLDER` entrusts; `proxyno:M:GIVER` declines."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None:
        return
    svc = service(context)
    match = _PROXY.match(query.data or "")
    found = await svc.lookup.invitation_for_account(int(match.group(2)), user.id) if match else None
    caller = await identify(update, context)
    language = caller.language if caller else "en"
    if (
        match is None
        or found is None
        or not svc.day.may_entrust(*found)
        or (match.group(1) == "list") != (match.group(3) is None)
    ):
        await query.answer(t(language, "meetings.button_refused"), show_alert=True)
        return
    meeting, me = found
    if meeting.status != "open" or svc.now() >= meeting.starts_at:
        await query.answer(
            t(me.language, "meeting_day.proxy_closed", id=meeting.id), show_alert=True
        )
        return
    if match.group(1) == "list":
        await query.answer()
        text, markup = await svc.day.proxy_choices(meeting, me)
        await edit_tapped(update, text, markup)
        return
    other = int(match.group(3))
    if match.group(1):
        declined = await svc.day.decline(meeting, me, other)
        key = "meeting_day.proxy_declined" if declined else "meeting_day.proxy_not_yours"
        await query.answer(t(me.language, key, id=meeting.id), show_alert=not declined)
        if declined:
            await drop_buttons(update)
        return
    outcome = await svc.day.entrust(meeting, me, other)
    holder = await svc.lookup.invitee(meeting.id, other)
    name = holder.name if holder is not None else f"#{other}"
    text = t(me.language, f"meeting_day.proxy_{outcome}", id=meeting.id, holder=name)
    await query.answer(text, show_alert=outcome not in ("entrusted", "same"))
    if outcome == "entrusted":
        await edit_tapped(update, text)


def register_proxies(app: BotApplication) -> None:
    """Wire the proxy buttons in."""
    app.add_handler(CallbackQueryHandler(proxy_tapped, pattern=r"^proxy(no|list)?:"))
