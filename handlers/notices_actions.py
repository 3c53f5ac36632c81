"""Taps on notice buttons: Confirm, Cancel, Approve, Reject, and the people to phone."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.context import AppContext
from bot.i18n import t
from bot.notices.service import NoticeService
from bot.notices.views import preview_parts, unreachable_lines, when_text
from handlers.common import Caller, reply, require_role
from storage.notices import ApprovalRequest, Notice
from storage.people import Language, Role

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
    notice = await service.repo.get(int(match.group(2))) if match else None
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
    if context.bot_data.settings.notice_approval < 2:
        return False
    if await notice_service(context).repo.approvers(caller.person.id):
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
    if notice.status != "draft" or notice.author_person_id != caller.person.id:
        await reply(update, caller.t("notices.already_handled", id=notice.id))
        return
    if not confirmed:
        # One conditional statement decides: a Confirm that got there first wins.
        cancelled = await service.repo.move(notice.id, ("draft",), "cancelled")
        key = (
            "notices.draft_cancelled" if cancelled else _too_late(await service.repo.get(notice.id))
        )
        await reply(update, caller.t(key, id=notice.id))
        return
    if context.bot_data.settings.notice_approval >= 2:
        await _queue_for_approval(update, context, service, caller, notice)
        return
    scheduled = await service.confirm(notice.id)
    if scheduled is None:
        key = _too_late(await service.repo.get(notice.id))
        await reply(update, caller.t(key, id=notice.id))
        return
    await _tell_scheduled(update, service, caller, notice.id, scheduled)


def _too_late(notice: Notice | None) -> str:
    """What to tell an author whose tap lost to another decision on the same notice."""
    if notice is None:
        return "notices.already_handled"
    if notice.status == "cancelled":
        return "notices.confirm_too_late"
    if notice.status in ("pending_approval", "scheduled", "sending", "done"):
        return "notices.cancel_too_late"
    return "notices.already_handled"


async def _queue_for_approval(
    update: Update, context: AppContext, service: NoticeService, caller: Caller, notice: Notice
) -> None:
    """Ask every other reachable secretariat member; with nobody asked, the draft stays a draft."""
    if not await service.repo.approvers(caller.person.id):
        await reply(update, caller.t("notices.no_approver_draft", id=notice.id))
        return
    if not await service.repo.move(notice.id, ("draft",), "pending_approval"):
        await reply(update, caller.t("notices.already_handled", id=notice.id))
        return
    asked = await _ask_approval(context, service, caller, notice)
    current = await service.repo.get(notice.id)
    if current is not None and current.status != "pending_approval":
        # Decided (or cancelled) while requests were still going out: close the late ones
        # too; the author has been told the decision already.
        await service.close_approvals(notice.id, "notices.already_handled")
        return
    if asked:
        await reply(update, caller.t("notices.waiting_approval", id=notice.id))
        return
    await service.repo.move(notice.id, ("pending_approval",), "draft")
    await reply(update, caller.t("notices.no_approver_draft", id=notice.id))


async def _ask_approval(
    context: AppContext, service: NoticeService, author: Caller, notice: Notice
) -> int:
    """Send the preview with Approve and Reject to each approver; return how many got it."""
    data = context.bot_data
    asked = 0
    for approver in await service.repo.approvers(author.person.id):
        language: Language = "en" if approver.language == "en" else "zh"
        parts = preview_parts(
            notice,
            data.settings.timezone,
            language,
            await service.repo.audience_by_language(notice),
            data.settings.notice_channel,
        )
        text = t(language, "notices.approval_request", author=author.person.name)
        text += "\n\n" + parts[-1]
        try:
            for part in parts[:-1]:
                await data.messenger.send(approver.chat_id, part)
            message = await data.messenger.send(
                approver.chat_id,
                text,
                buttons(
                    [
                        (t(language, "notices.approve"), f"ntc:apr:{notice.id}"),
                        (t(language, "notices.reject"), f"ntc:rej:{notice.id}"),
                    ]
                ),
            )
        except TelegramError as error:
            logger.info(
                "could not ask person %d to approve a notice: %s", approver.person_id, error
            )
            continue
        if message is None:
            continue
        await service.repo.add_approval_request(
            notice.id,
            ApprovalRequest(
                approver.person_id, approver.chat_id, message.message_id, language, text
            ),
        )
        asked += 1
    return asked


async def _approver_decides(
    update: Update,
    context: AppContext,
    service: NoticeService,
    caller: Caller,
    notice: Notice,
    approved: bool,
) -> None:
    if notice.status != "pending_approval":
        await reply(update, caller.t("notices.already_handled", id=notice.id))
        return
    if notice.author_person_id == caller.person.id:
        await reply(update, caller.t("notices.approve_own"))
        return
    if approved:
        scheduled = await service.confirm(notice.id, approver_id=caller.person.id)
        if scheduled is None:
            await reply(update, caller.t("notices.already_handled", id=notice.id))
            return
        await service.close_approvals(
            notice.id, "notices.approval_closed_approved", caller.person.name
        )
        await _tell_scheduled(update, service, caller, notice.id, scheduled)
    elif await service.repo.move(notice.id, ("pending_approval",), "rejected"):
        await service.close_approvals(
            notice.id, "notices.approval_closed_rejected", caller.person.name
        )
        await reply(update, caller.t("notices.rejected", id=notice.id))
    else:
        await reply(update, caller.t("notices.already_handled", id=notice.id))
        return
    language = await service.language_of(notice)
    if notice.author_chat_id:
        key = "notices.approved_by" if approved else "notices.rejected_by"
        await context.bot_data.messenger.send(
            notice.author_chat_id, t(language, key, id=notice.id, name=caller.person.name)
        )


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
    if not notice.ack or chat is None:
        await reply(update, caller.t("core.button_invalid"))
        return
    follow_up = await service.actions.remind(notice, caller.person.id, chat.id, caller.language)
    if follow_up is None:
        await reply(update, caller.t("notices.remind_running", id=notice.id))
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
    lines = unreachable_lines(await service.repo.unreachable(notice.id), caller.language)
    chunk = caller.t("notices.unreachable_title", id=notice.id)
    for line in lines or [caller.t("notices.unreachable_none")]:
        if len(chunk) + len(line) > _CHUNK:
            await reply(update, chunk)
            chunk = ""
        chunk += "\n" + line
    await reply(update, chunk)
