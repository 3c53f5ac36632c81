"""Receipts, and actions on a delivered notice: follow-ups, corrections and recalls.

Each action is a notice of its own (`kind`, `parent_id`) whose outbox is copied from the
parent's delivered copies, so it runs through the same paced, crash-safe engine as a
delivery, with its own progress message and report:
- a follow-up (`reminder`) goes to those who got the notice and have not confirmed it;
- a correction (`edit`) edits every delivered copy through its recorded message id; copies
  still to be sent get the new text, because the parent's text is replaced in the same
  transaction that fills the correction's outbox (and a running delivery swaps it in);
- a recall deletes every delivered copy younger than 48 hours, after stopping the delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from bot.i18n import t
from bot.notices.views import plain
from storage.notice_receipts import Receipt
from storage.notices import Notice
from storage.people import Language

if TYPE_CHECKING:
    from bot.notices.service import NoticeService

__all__ = ["ACTION_KINDS", "NoFollowUp", "NoticeActions", "changed_languages"]

logger = logging.getLogger(__name__)

ACTION_KINDS = ("reminder", "edit", "recall")


class NoFollowUp(StrEnum):
    """Why no follow-up was sent (the value is the text's key)."""

    NO_RECEIPTS = "core.button_invalid"  # the notice asked for no receipts
    RUNNING = "notices.remind_running"  # one is being sent already


_SNIPPET = 160


def changed_languages(notice: Notice, text_zh: str | None, text_en: str | None) -> tuple[str, ...]:
    """The reader languages whose version a correction changes."""
    new = (text_zh, text_en)
    return tuple(
        language
        for language in ("zh", "en")
        if notice.text_for(language) != _text_for(new, language)
    )


def _text_for(texts: tuple[str | None, str | None], language: str) -> str:
    first, second = texts if language == "zh" else (texts[1], texts[0])
    return first or second or ""


def _snippet(notice: Notice, language: str) -> str:
    text = " ".join(plain(notice.text_for(language)).split())
    return text[:_SNIPPET] + ("…" if len(text) > _SNIPPET else "")


class NoticeActions:
    """Receipts and the actions on delivered notices, on top of the notices service."""

    def __init__(self, service: NoticeService) -> None:
        self.service = service
        self.repo = service.repo
        self.receipts = service.stores.receipts
        self.action_rows = service.stores.actions
        self.confirmed: dict[int, set[int]] = {}  # correction id -> who confirmed the parent

    async def acknowledge(self, notice_id: int, person_id: int) -> Receipt | None:
        """Record a member's receipt of a notice asking for one (None if not theirs to confirm)."""
        notice = await self.repo.get(notice_id)
        if (
            notice is None
            or not notice.ack
            or not await self.receipts.was_sent_to(notice_id, person_id)
        ):
            return None
        return await self.receipts.record_receipt(notice_id, person_id, self.service.clock.now())

    async def remind(
        self, parent: Notice, author_id: int, chat_id: int, language: Language
    ) -> Notice | NoFollowUp:
        """Send a short follow-up to those who have not confirmed: only for a notice that
        asked for receipts, and one follow-up at a time."""
        if not parent.ack:
            return NoFollowUp.NO_RECEIPTS
        if await self.action_rows.actions_of(parent.id, ("reminder",)):
            return NoFollowUp.RUNNING
        action = await self.repo.create(
            author_person_id=author_id,
            author_chat_id=chat_id,
            author_language=language,
            audience=parent.audience,
            language=parent.language,
            category=parent.category,
            text_zh=t("zh", "notices.reminder_text", id=parent.id, snippet=_snippet(parent, "zh")),
            text_en=t("en", "notices.reminder_text", id=parent.id, snippet=_snippet(parent, "en")),
            media_kind=None,
            media_file_id=None,
            due_at=None,
            recurrence=None,
            now=self.service.clock.now(),
            status="scheduled",
            ack=True,
            kind="reminder",
            parent_id=parent.id,
        )
        await self.start(action)
        return await self.repo.get(action.id) or action

    async def draft(
        self,
        parent: Notice,
        kind: Literal["edit", "recall"],
        author_id: int,
        chat_id: int,
        language: Language,
        texts: tuple[str | None, str | None] = (None, None),
    ) -> Notice:
        """A correction (with its new versions; a version not given stays) or recall, as a draft."""
        text_zh = texts[0] if texts[0] is not None else parent.text_zh
        text_en = texts[1] if texts[1] is not None else parent.text_en
        if kind == "recall":
            text_zh, text_en = parent.text_zh, parent.text_en
        return await self.repo.create(
            author_person_id=author_id,
            author_chat_id=chat_id,
            author_language=language,
            audience=parent.audience,
            language=parent.language,
            category=parent.category,
            text_zh=text_zh,
            text_en=text_en,
            media_kind=parent.media_kind,
            media_file_id=parent.media_file_id,
            due_at=None,
            recurrence=None,
            now=self.service.clock.now(),
            ack=parent.ack,
            kind=kind,
            parent_id=parent.id,
        )

    async def start(self, action: Notice) -> bool:
        """Fill a scheduled action's outbox from its parent and run it."""
        parent = await self.repo.get(action.parent_id or 0)
        if parent is None:
            return False
        service = self.service
        languages: tuple[str, ...] = ("zh", "en")
        texts = None
        if action.kind == "recall":
            await self._stop_everything_of(parent, action.id)
        elif action.kind == "edit":
            for older in await self.action_rows.actions_of(parent.id, ("edit",)):
                if older != action.id:
                    await service.cancel(older)
            languages = changed_languages(parent, action.text_zh, action.text_en) or ("zh",)
            texts = (action.text_zh, action.text_en)
        now = service.clock.now()
        if not await self.action_rows.start_action(
            action.id, parent.id, action.kind, now, languages, texts
        ):
            return False
        updated = await self.repo.get(parent.id)
        if parent.id in service.live and updated is not None:
            service.live[parent.id] = updated  # sends from now on carry the corrected text
        service.deliver(action.id)
        return True

    async def _stop_everything_of(self, parent: Notice, recall_id: int) -> None:
        """Before a recall: stop the delivery and every other action, and let them settle."""
        service = self.service
        others = [
            i for i in await self.action_rows.actions_of(parent.id, ACTION_KINDS) if i != recall_id
        ]
        for action_id in others:
            await service.cancel(action_id)
        if parent.status in ("scheduled", "sending", "pending_approval"):
            await service.cancel(parent.id)
        for notice_id in [parent.id, *others]:
            task = service.tasks.get(notice_id)
            if task is not None:
                with contextlib.suppress(Exception):
                    await asyncio.shield(task)

    async def prepare(self, action: Notice) -> None:
        """Before an action's run: a correction keeps the done mark of those who confirmed."""
        if action.kind == "edit" and action.parent_id:
            self.confirmed[action.id] = await self.receipts.confirmed_people(action.parent_id)

    async def more_to_do(self, action: Notice) -> bool:
        """After a correction's run: add copies that were in flight when it began, if any.

        Sends of the delivery that were under way at the correction carry the old text; once
        the delivery has finished, those copies join the correction's outbox.
        """
        if action.kind != "edit" or action.parent_id is None:
            return False
        task = self.service.tasks.get(action.parent_id)
        if task is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(task)
        # Copies sent with an older text after the correction began: any language may differ.
        added = await self.action_rows.top_up_edit(
            action.id, action.parent_id, action.revision, ("zh", "en")
        )
        return added > 0

    def done(self, action: Notice) -> None:
        """Forget what a finished action kept in memory."""
        self.confirmed.pop(action.id, None)

    def acked(self, action: Notice, person_id: int) -> bool:
        """Whether the receipt button on this copy should show as done."""
        return person_id in self.confirmed.get(action.id, set())
