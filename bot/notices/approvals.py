"""The approval workflow of a notice: the author's Confirm or Cancel, approvers' decisions.

With `ASSOC_NOTICE_APPROVAL=2` a confirmed draft waits for another secretariat member:
each reachable one gets the preview with Approve and Reject; the first decision wins (every
state move is one conditional statement), and every request is then closed. Each method
returns a `Decision` that the handler turns into text.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.config import Settings
from bot.i18n import t
from bot.messaging import Messenger
from bot.notices.compose import TEXT_LIMIT
from bot.notices.stores import NoticeStores
from bot.notices.views import preview_parts
from storage.notice_approvals import ApprovalRepository, ApprovalRequest
from storage.notices import Notice, NoticeRepository
from storage.people import Language, Person

if TYPE_CHECKING:
    from bot.notices.service import NoticeService

__all__ = ["Decision", "NoticeApprovals", "Outcome", "close_approval_requests"]

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    """How a tap on Confirm, Cancel, Approve or Reject ended (the value is the text's key)."""

    ALREADY_HANDLED = "notices.already_handled"
    DRAFT_CANCELLED = "notices.draft_cancelled"
    CONFIRM_TOO_LATE = "notices.confirm_too_late"  # a Cancel had got there first
    CANCEL_TOO_LATE = "notices.cancel_too_late"  # a Confirm had got there first
    NO_APPROVER = "notices.no_approver_draft"
    WAITING_APPROVAL = "notices.waiting_approval"
    DECIDED_MEANWHILE = ""  # decided while requests went out: the author was told already
    APPROVE_OWN = "notices.approve_own"
    REJECTED = "notices.rejected"
    SCHEDULED = "notices.scheduled"


@dataclass(frozen=True)
class Decision:
    """The outcome, and the notice as it stands after a scheduling one."""

    outcome: Outcome
    notice: Notice | None = None


def _too_late(notice: Notice | None) -> Outcome:
    """What an author's tap that lost to another decision on the same notice ran into."""
    if notice is None:
        return Outcome.ALREADY_HANDLED
    if notice.status == "cancelled":
        return Outcome.CONFIRM_TOO_LATE
    if notice.status in ("pending_approval", "scheduled", "sending", "done"):
        return Outcome.CANCEL_TOO_LATE
    return Outcome.ALREADY_HANDLED


def approval_buttons(notice_id: int, language: Language) -> InlineKeyboardMarkup:
    """Approve and Reject under an approval request."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(language, "notices.approve"), callback_data=f"ntc:apr:{notice_id}"
                ),
                InlineKeyboardButton(
                    t(language, "notices.reject"), callback_data=f"ntc:rej:{notice_id}"
                ),
            ]
        ]
    )


class NoticeApprovals:
    """The rules of confirming and approving notices, on top of the notices service."""

    def __init__(
        self,
        notices: NoticeService,
        stores: NoticeStores,
        messenger: Messenger,
        settings: Settings,
    ) -> None:
        self.notices = notices
        self.repo: NoticeRepository = stores.notices
        self.requests: ApprovalRepository = stores.approvals
        self.messenger = messenger
        self.settings = settings

    async def no_approver(self, author_id: int) -> bool:
        """True when approval is needed and nobody but the author could give it."""
        if self.settings.notice_approval < 2:
            return False
        return not await self.requests.approvers(author_id)

    async def author_decides(self, notice: Notice, author: Person, confirmed: bool) -> Decision:
        """Only the author confirms or cancels a draft; with approval it goes to approvers."""
        if notice.status != "draft" or notice.author_person_id != author.id:
            return Decision(Outcome.ALREADY_HANDLED)
        if not confirmed:
            # One conditional statement decides: a Confirm that got there first wins.
            if await self.repo.move(notice.id, ("draft",), "cancelled"):
                return Decision(Outcome.DRAFT_CANCELLED)
            return Decision(_too_late(await self.repo.get(notice.id)))
        if self.settings.notice_approval >= 2:
            return await self._queue_for_approval(notice, author)
        scheduled = await self.notices.confirm(notice.id)
        if scheduled is None:
            return Decision(_too_late(await self.repo.get(notice.id)))
        return Decision(Outcome.SCHEDULED, scheduled)

    async def _queue_for_approval(self, notice: Notice, author: Person) -> Decision:
        """Ask every other reachable secretariat member; with nobody asked it stays a draft."""
        if not await self.requests.approvers(author.id):
            return Decision(Outcome.NO_APPROVER)
        if not await self.repo.move(notice.id, ("draft",), "pending_approval"):
            return Decision(Outcome.ALREADY_HANDLED)
        asked = await self._ask_approval(notice, author)
        current = await self.repo.get(notice.id)
        if current is not None and current.status != "pending_approval":
            # Decided (or cancelled) while requests were still going out: close the late ones
            # too; the author has been told the decision already.
            await self.notices.close_approvals(notice.id, "notices.already_handled")
            return Decision(Outcome.DECIDED_MEANWHILE)
        if asked:
            return Decision(Outcome.WAITING_APPROVAL)
        await self.repo.move(notice.id, ("pending_approval",), "draft")
        return Decision(Outcome.NO_APPROVER)

    async def _ask_approval(self, notice: Notice, author: Person) -> int:
        """Send the preview with Approve and Reject to each approver; how many got it."""
        asked = 0
        for approver in await self.requests.approvers(author.id):
            language: Language = "en" if approver.language == "en" else "zh"
            parts = preview_parts(
                notice,
                self.settings.timezone,
                language,
                await self.repo.audience_by_language(notice),
                self.settings.notice_channel,
            )
            text = t(language, "notices.approval_request", author=author.name)
            text += "\n\n" + parts[-1]
            try:
                for part in parts[:-1]:
                    await self.messenger.send(approver.chat_id, part)
                message = await self.messenger.send(
                    approver.chat_id, text, approval_buttons(notice.id, language)
                )
            except TelegramError as error:
                logger.info(
                    "could not ask person %d to approve a notice: %s", approver.person_id, error
                )
                continue
            if message is None:
                continue
            await self.requests.add_approval_request(
                notice.id,
                ApprovalRequest(
                    approver.person_id, approver.chat_id, message.message_id, language, text
                ),
            )
            asked += 1
        return asked

    async def approver_decides(self, notice: Notice, approver: Person, approved: bool) -> Decision:
        """Another secretariat member approves or rejects; the first decision wins."""
        if notice.status != "pending_approval":
            return Decision(Outcome.ALREADY_HANDLED)
        if notice.author_person_id == approver.id:
            return Decision(Outcome.APPROVE_OWN)
        if approved:
            scheduled = await self.notices.confirm(notice.id, approver_id=approver.id)
            if scheduled is None:
                return Decision(Outcome.ALREADY_HANDLED)
            await self.notices.close_approvals(
                notice.id, "notices.approval_closed_approved", approver.name
            )
            decision = Decision(Outcome.SCHEDULED, scheduled)
        elif await self.repo.move(notice.id, ("pending_approval",), "rejected"):
            await self.notices.close_approvals(
                notice.id, "notices.approval_closed_rejected", approver.name
            )
            decision = Decision(Outcome.REJECTED)
        else:
            return Decision(Outcome.ALREADY_HANDLED)
        language = await self.notices.reports.language_of(notice)
        if notice.author_chat_id:
            key = "notices.approved_by" if approved else "notices.rejected_by"
            await self.messenger.send(
                notice.author_chat_id, t(language, key, id=notice.id, name=approver.name)
            )
        return decision


async def close_approval_requests(
    messenger: Messenger, repo: ApprovalRepository, notice_id: int, key: str, name: str = ""
) -> None:
    """Take Approve and Reject away from every approval request of a decided notice.

    Each request keeps its preview and gains a line saying how the notice was decided
    (`key`), so no secretariat member is left with a stale button.
    """
    for request in await repo.take_approval_requests(notice_id):
        if request.chat_id is None:
            continue
        language: Language = "en" if request.language == "en" else "zh"
        text = request.text + "\n\n" + t(language, key, id=notice_id, name=name)
        try:
            if len(text) <= TEXT_LIMIT:
                await messenger.edit_text(
                    request.chat_id, request.message_id, text, parse_mode=ParseMode.HTML
                )
            else:
                await messenger.edit_reply_markup(request.chat_id, request.message_id, None)
        except TelegramError as error:
            logger.info("could not close an approval request of notice %d: %s", notice_id, error)
