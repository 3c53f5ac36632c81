"""Taps on notice buttons: Confirm, Cancel, Approve, Reject, and the people to phone."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import AppContext
from bot.notices.actions import NoFollowUp
from bot.notices.approvals import Decision, Outcome
from bot.notices.service import NoticeService
from bot.notices.views import unreachable_lines, when_text
from handlers.common import Caller, reply, require_role
from storage.notices import Notice
from storage.people import Role

__all__ = ["ACTION_PATTERN", "action", "buttons", "no_approver", "notice_service"]

logger = logging.getLogger(__name__)

ACTION_PATTERN = r"^ntc:(ok|no|apr|rej|unr|cx|rmd):"
_ACTION = re.compile(r"^ntc:(ok|no|apr|rej|unr|cx|rmd):(\d{1,12})$")
_CHUNK = 3800


def notice_service(context: AppContext) -> NoticeService:
    """The notices service of this Application."""
    return context.bot_data.notices


def buttons(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


async def action(update: Update, context: AppContext) -> None:
    """Confirm, Cancel, Approve, Reject and the unreachable list (every tap rechecks the role)."""
    query = update.callback_query
    if query is None:
        return
    caller = await require_role(update, context, Role.SECRETARIAT)
    if caller is None:
        return
    match = _ACTION.match(query.data or "")
    service = notice_service(context)
    notice = await service.lookup.notice(int(match.group(2))) if match else None
    if match is None or notice is None:
        await query.answer(caller.t("core.button_invalid"), show_alert=True)
        return
    await query.answer()
    verb = match.group(1)
    if verb == "cx":
        cancelled = await service.cancel(notice.id)
        key = "notices.cancelled" if cancelled else "notices.cannot_cancel"
        await reply(update, caller.t(key, id=notice.id))
    elif verb == "unr":
        await _send_unreachable(update, service, caller, notice)
    elif verb == "rmd":
        await _remind(update, service, caller, notice)
    elif verb in ("ok", "no"):
        await _author_decides(update, context, service, caller, notice, verb == "ok")
    else:
        await _approver_decides(update, context, service, caller, notice, verb == "apr")


async def no_approver(update: Update, context: AppContext, caller: Caller) -> bool:
    """True (and the author told why) when approval is needed and nobody else can give it."""
    if not await context.bot_data.approvals.no_approver(caller.person.id):
        return False
    await reply(update, caller.t("notices.no_approver"))
    return True


async def _author_decides(
    update: Update,
    context: AppContext,
    service: NoticeService,
    caller: Caller,
    notice: Notice,
    confirmed: bool,
) -> None:
    decision = await context.bot_data.approvals.author_decides(notice, caller.person, confirmed)
    await _tell_decision(update, service, caller, notice.id, decision)


async def _approver_decides(
    update: Update,
    context: AppContext,
    service: NoticeService,
    caller: Caller,
    notice: Notice,
    approved: bool,
) -> None:
    decision = await context.bot_data.approvals.approver_decides(notice, caller.person, approved)
    await _tell_decision(update, service, caller, notice.id, decision)


async def _tell_decision(
    update: Update, service: NoticeService, caller: Caller, notice_id: int, decision: Decision
) -> None:
    if decision.outcome is Outcome.SCHEDULED:
        await _tell_scheduled(update, service, caller, notice_id, decision.notice)
    elif decision.outcome is not Outcome.DECIDED_MEANWHILE:
        await reply(update, caller.t(decision.outcome.value, id=notice_id))


async def _tell_scheduled(
    update: Update,
    service: NoticeService,
    caller: Caller,
    notice_id: int,
    notice: Notice | None,
) -> None:
    if notice is None:
        await reply(update, caller.t("notices.already_handled", id=notice_id))
        return
    if notice.kind != "notice":
        key = f"notices.started_{notice.kind}"
        await reply(
            update, caller.t(key, id=notice.id, parent=notice.parent_id, total=notice.total)
        )
    elif notice.status in ("sending", "done") and not notice.recurrence:
        await reply(update, caller.t("notices.sending_now", id=notice.id))
    else:
        await reply(
            update,
            caller.t(
                "notices.scheduled",
                id=notice.id,
                when=when_text(notice, service.settings.timezone, caller.language),
            ),
        )


async def _remind(update: Update, service: NoticeService, caller: Caller, notice: Notice) -> None:
    """Send the follow-up to those who got the notice and have not confirmed it."""
    chat = update.effective_chat
    if chat is None:
        await reply(update, caller.t("core.button_invalid"))
        return
    follow_up = await service.actions.remind(notice, caller.person.id, chat.id, caller.language)
    if isinstance(follow_up, NoFollowUp):
        await reply(update, caller.t(follow_up.value, id=notice.id))
        return
    await reply(
        update,
        caller.t(
            "notices.started_reminder", id=follow_up.id, parent=notice.id, total=follow_up.total
        ),
    )


async def _send_unreachable(
    update: Update, service: NoticeService, caller: Caller, notice: Notice
) -> None:
    lines = unreachable_lines(await service.lookup.unreachable(notice.id), caller.language)
    chunk = caller.t("notices.unreachable_title", id=notice.id)
    for line in lines or [caller.t("notices.unreachable_none")]:
        if len(chunk) + len(line) > _CHUNK:
            await reply(update, chunk)
            chunk = ""
        chunk += "\n" + line
    await reply(update, chunk)
