"""The notices' repositories, one per aggregate, built once and shared by the services."""

from __future__ import annotations

from dataclasses import dataclass

from storage.database import Database
from storage.notice_actions import NoticeActionRepository
from storage.notice_approvals import ApprovalRepository
from storage.notice_outbox import NoticeOutboxRepository
from storage.notice_receipts import ReceiptRepository
from storage.notices import NoticeRepository

__all__ = ["NoticeStores"]


@dataclass(frozen=True)
class NoticeStores:
    """Notices, their outbox, receipts, actions (follow-ups, corrections) and approvals."""

    notices: NoticeRepository
    outbox: NoticeOutboxRepository
    receipts: ReceiptRepository
    actions: NoticeActionRepository
    approvals: ApprovalRepository

    @classmethod
    def on(cls, db: Database) -> NoticeStores:
        """Each repository on the one database."""
        return cls(
            NoticeRepository(db),
            NoticeOutboxRepository(db),
            ReceiptRepository(db),
            NoticeActionRepository(db),
            ApprovalRepository(db),
        )
