"""Receipts: the members' "Received / 收到" tap, and `/notices ID` (who has not confirmed)."""

from __future__ import annotations

import contextlib
import re

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError

from bot.context import AppContext
from bot.i18n import format_datetime
from bot.notices.copies import ack_markup
from bot.notices.views import detail_lines, unconfirmed_lines
from handlers.common import Caller, drop_buttons, identify, reply
from handlers.notices_actions import buttons, notice_service

__all__ = ["RECEIPT_PATTERN", "notice_detail", "receipt_tap"]

RECEIPT_PATTERN = r"^ntc:ack:"
_RECEIPT = re.compile(r"^ntc:ack:(\d{1,12})$")
_CHUNK = 3800  # under Telegram's 4,096 characters, with room for the page's title


async def receipt_tap(update: Update, context: AppContext) -> None:
    """Record the member's receipt once, answer the tap, and mark the button done."""
    query = update.callback_query
    caller = await identify(update, context)
    if query is None or caller is None:
        return
    match = _RECEIPT.match(query.data or "")
    service = context.bot_data.notices
    if match is None:
        await query.answer(caller.t("core.button_invalid"), show_alert=True)
        return
    notice_id = int(match.group(1))
    receipt = await service.actions.acknowledge(notice_id, caller.person.id)
    if receipt is None:
        await query.answer(caller.t("notices.ack_not_yours"), show_alert=True)
        return
    if not receipt.new:
        when = format_datetime(receipt.at, service.settings.timezone, caller.language)
        await query.answer(caller.t("notices.ack_already", id=notice_id, when=when))
        return
    await query.answer(caller.t("notices.ack_recorded", id=notice_id))
    with contextlib.suppress(TelegramError):  # the copy may have been deleted meanwhile
        await drop_buttons(update, ack_markup(notice_id, done=True))


async def notice_detail(
    update: Update, context: AppContext, caller: Caller, notice_id: int
) -> None:
    """`/notices ID`: outcomes, receipts, who has not confirmed (paged), and the buttons."""
    service = notice_service(context)
    detail = await service.lookup.detail(notice_id)
    if detail is None:
        await reply(update, caller.t("notices.correction_unknown", id=notice_id))
        return
    notice = detail.notice
    head = detail_lines(
        notice,
        detail.counts,
        detail.receipts,
        detail.actions,
        service.settings.timezone,
        caller.language,
    )
    pages = ["\n".join(head)]
    if detail.unconfirmed:
        title = caller.t("notices.unconfirmed_title", n=len(detail.unconfirmed))
        pages.append(title)
        for line in unconfirmed_lines(detail.unconfirmed, caller.language):
            if len(pages[-1]) + len(line) + 1 > _CHUNK:
                pages.append(caller.t("notices.unconfirmed_more", id=notice.id))
            pages[-1] += "\n" + line
    rows: list[list[tuple[str, str]]] = []
    if detail.may_remind:
        rows.append([(caller.t("notices.remind_button"), f"ntc:rmd:{notice.id}")])
    if detail.not_reached:
        rows.append(
            [
                (
                    caller.t("notices.unreachable_button", n=detail.not_reached),
                    f"ntc:unr:{notice.id}",
                )
            ]
        )
    markup: InlineKeyboardMarkup | None = buttons(*rows) if rows else None
    for page in pages[:-1]:
        await reply(update, page)
    await reply(update, pages[-1], markup)
