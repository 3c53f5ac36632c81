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
from bot.meetings.meeting_day import ProxyAction
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
    card = await svc.day.checkin_link(meeting, context.bot.username)
    if card is None:
        await reply(update, caller.t("meetings.meeting_not_open", id=meeting.id))
        return
    link, png = card
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
    match = _PROXY.match(query.data or "")
    action: ProxyAction = "list" if match and match.group(1) == "list" else "entrust"
    if match and match.group(1) == "no":
        action = "decline"
    other = int(match.group(3)) if match and match.group(3) else None
    tap = (
        await service(context).day.proxy_tapped(user.id, int(match.group(2)), action, other)
        if match and (action == "list") == (other is None)
        else None
    )
    caller = await identify(update, context)
    meeting, me = (tap.meeting, tap.me) if tap else (None, None)
    if tap is None or meeting is None or me is None:
        language = caller.language if caller else "en"
        await query.answer(t(language, "meetings.button_refused"), show_alert=True)
        return
    if tap.refusal == "closed":
        await query.answer(
            t(me.language, "meeting_day.proxy_closed", id=meeting.id), show_alert=True
        )
    elif tap.choices is not None:
        await query.answer()
        await edit_tapped(update, *tap.choices)
    elif action == "decline":
        key = "meeting_day.proxy_declined" if tap.declined else "meeting_day.proxy_not_yours"
        await query.answer(t(me.language, key, id=meeting.id), show_alert=not tap.declined)
        if tap.declined:
            await drop_buttons(update)
    else:
        text = t(
            me.language, f"meeting_day.proxy_{tap.entrusted}", id=meeting.id, holder=tap.holder_name
        )
        await query.answer(text, show_alert=tap.entrusted not in ("entrusted", "same"))
        if tap.entrusted == "entrusted":
            await edit_tapped(update, text)


def register_proxies(app: BotApplication) -> None:
    """Wire the proxy buttons in."""
    app.add_handler(CallbackQueryHandler(proxy_tapped, pattern=r"^proxy(no|list)?:"))
