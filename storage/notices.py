"""Notices: their rows, and the start of a delivery (its outbox, storage/notice_outbox.py).

Receipts (storage/notice_receipts.py), the actions on a delivered notice
(storage/notice_actions.py) and approvals (storage/notice_approvals.py) have repositories of
their own.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from storage.database import Database, Transaction
from storage.notice_words import (
    ACTIVE_STATUSES,
    AUDIENCE_ROLES,
    TERMINAL_STATES,
    Audience,
    Category,
    MediaKind,
    NoticeKind,
    NoticeStatus,
)
from storage.outbox import CHANNEL_PERSON
from storage.people import SPOKEN_LANGUAGE, Language
from storage.timestamps import from_db_optional, to_db

__all__ = [
    "ACTIVE_STATUSES",
    "AUDIENCE_ROLES",
    "EFFECTIVE_LANGUAGE",
    "TERMINAL_STATES",
    "Audience",
    "Category",
    "MediaKind",
    "Notice",
    "NoticeKind",
    "NoticeRepository",
    "NoticeStatus",
    "forget_recipient",
]

# The language a notice is written in for a person (needs `persons p` with SPOKEN_LANGUAGE_JOIN).
EFFECTIVE_LANGUAGE = SPOKEN_LANGUAGE


@dataclass(frozen=True)
class Notice:
    """One notice: what, to whom, when, and how far its delivery went."""

    id: int
    author_person_id: int | None
    author_chat_id: int | None
    author_language: Language
    audience: Audience
    language: Language | None
    category: Category
    text_zh: str | None
    text_en: str | None
    media_kind: MediaKind | None
    media_file_id: str | None
    status: NoticeStatus
    due_at: datetime | None
    recurrence: str | None
    parent_id: int | None
    approved_by: int | None
    progress_message_id: int | None
    total: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    kind: NoticeKind = "notice"  # or an action on `parent_id`: `reminder`, `edit`, `recall`
    ack: bool = False  # receipts asked: a "Received / 收到" button on every copy
    channel: bool = False  # posted to the association's channel as well
    revision: int = 0  # raised by each correction

    def text_for(self, language: str) -> str:
        """The version in `language`, else the other one."""
        if language == "zh":
            return self.text_zh or self.text_en or ""
        return self.text_en or self.text_zh or ""


# Every column of `notices`, as the fields of Notice: every SELECT reads these.
_FIELDS = tuple(f.name for f in fields(Notice))
_COLUMNS = ", ".join(_FIELDS)
_READ: dict[str, Callable[[Any], Any]] = {
    "due_at": from_db_optional,
    "created_at": lambda value: from_db_optional(value) or datetime.min,
    "started_at": from_db_optional,
    "finished_at": from_db_optional,
    "ack": bool,
    "channel": bool,
}
# What a recurring notice's delivery copies from it.
_COPIED = (
    "author_person_id, author_chat_id, author_language, audience, language, category,"
    " text_zh, text_en, media_kind, media_file_id, due_at, approved_by, ack, channel"
)


def _notice(row: sqlite3.Row) -> Notice:
    return Notice(**{name: _READ.get(name, _same)(row[name]) for name in _FIELDS})


def _same(value: Any) -> Any:
    return value


def _channel_language(notice: Notice) -> str:
    """The channel reads the notice's own language, else the Chinese version if there is one."""
    if notice.language:
        return notice.language
    return "zh" if notice.text_zh else "en"


def _optional(moment: datetime | None) -> str | None:
    return None if moment is None else to_db(moment)


async def forget_recipient(tx: Transaction, person_id: int) -> None:
    """A person erased their data: nothing more is sent to them, and no reach note is kept."""
    await tx.execute(
        "UPDATE notice_outbox SET state = 'cancelled', reason = 'erased'"
        " WHERE person_id = ? AND state = 'pending'",
        (person_id,),
    )
    await tx.execute("DELETE FROM notice_unreachable WHERE person_id = ?", (person_id,))
    await tx.execute("DELETE FROM notice_client_languages WHERE person_id = ?", (person_id,))
    await tx.execute("DELETE FROM notice_receipts WHERE person_id = ?", (person_id,))


class NoticeRepository:
    """Reads and writes notices, and starts their deliveries."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create(
        self,
        *,
        author_person_id: int,
        author_chat_id: int,
        author_language: Language = "zh",
        audience: Audience,
        language: Language | None,
        category: Category,
        text_zh: str | None,
        text_en: str | None,
        media_kind: MediaKind | None,
        media_file_id: str | None,
        due_at: datetime | None,
        recurrence: str | None,
        now: datetime,
        status: NoticeStatus = "draft",
        ack: bool = False,
        channel: bool = False,
        kind: NoticeKind = "notice",
        parent_id: int | None = None,
    ) -> Notice:
        """Store a new notice (a draft until confirmed) and return it."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT INTO notices (author_person_id, author_chat_id, author_language,"
                " audience, language, category, text_zh, text_en, media_kind, media_file_id,"
                " status, due_at, recurrence, created_at, ack, channel, kind, parent_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    author_person_id,
                    author_chat_id,
                    author_language,
                    audience,
                    language,
                    category,
                    text_zh,
                    text_en,
                    media_kind,
                    media_file_id,
                    status,
                    _optional(due_at),
                    recurrence,
                    to_db(now),
                    int(ack),
                    int(channel),
                    kind,
                    parent_id,
                ),
            )
            notice_id = int(cursor.lastrowid or 0)
        notice = await self.get(notice_id)
        assert notice is not None
        return notice

    async def get(self, notice_id: int) -> Notice | None:
        """Return one notice."""
        row = await self._db.fetchone(f"SELECT {_COLUMNS} FROM notices WHERE id = ?", (notice_id,))
        return _notice(row) if row else None

    async def move(
        self,
        notice_id: int,
        expected: tuple[NoticeStatus, ...],
        status: NoticeStatus,
        *,
        due_at: datetime | None = None,
        approved_by: int | None = None,
        finished_at: datetime | None = None,
    ) -> bool:
        """Change the status if it is one of `expected` (so a double tap acts once)."""
        marks = ",".join("?" * len(expected))
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                f"UPDATE notices SET status = ?, due_at = COALESCE(?, due_at),"
                f" approved_by = COALESCE(?, approved_by),"
                f" finished_at = COALESCE(?, finished_at)"
                f" WHERE id = ? AND status IN ({marks})",
                (
                    status,
                    _optional(due_at),
                    approved_by,
                    _optional(finished_at),
                    notice_id,
                    *expected,
                ),
            )
            changed = cursor.rowcount > 0
            if changed and status == "cancelled":
                await tx.execute(
                    "UPDATE notice_outbox SET state = 'cancelled', reason = 'cancelled'"
                    " WHERE notice_id = ? AND state = 'pending'",
                    (notice_id,),
                )
        return changed

    async def remember_client_language(
        self, telegram_id: int, language: str, now: datetime
    ) -> bool:
        """Note the language of a person's Telegram app; False when no person has that account."""
        changed = await self._db.write_one(
            "INSERT INTO notice_client_languages (person_id, language, seen_at)"
            " SELECT id, ?, ? FROM persons WHERE telegram_id = ? AND erased_at IS NULL"
            " ON CONFLICT (person_id) DO UPDATE"
            " SET language = excluded.language, seen_at = excluded.seen_at",
            (language, to_db(now), telegram_id),
            patience=0,
        )
        return changed > 0

    async def list_for_overview(self, recent: int = 10) -> list[Notice]:
        """Active notices (soonest first), then the most recent finished ones."""
        active = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM notices WHERE status IN ('pending_approval', 'scheduled',"
            " 'sending') ORDER BY due_at, id"
        )
        done = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM notices WHERE status IN ('done', 'cancelled', 'missed',"
            " 'rejected') ORDER BY id DESC LIMIT ?",
            (recent,),
        )
        return [_notice(row) for row in [*active, *done]]

    async def active(self) -> list[Notice]:
        """The notices waiting for approval, scheduled or sending, soonest first."""
        return await self.list_for_overview(recent=0)

    async def actions_list(self, parent_id: int) -> list[Notice]:
        """The follow-ups, corrections and recalls of a notice, oldest first."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM notices WHERE parent_id = ? AND kind != 'notice'"
            " AND status != 'draft' ORDER BY id",
            (parent_id,),
        )
        return [_notice(row) for row in rows]

    async def with_status(self, status: str) -> list[Notice]:
        """Every notice in `status`, soonest first."""
        rows = await self._db.fetchall(
            f"SELECT {_COLUMNS} FROM notices WHERE status = ? ORDER BY due_at, id", (status,)
        )
        return [_notice(row) for row in rows]

    async def start_delivery(
        self,
        notice: Notice,
        occurrence: datetime,
        next_due: datetime | None,
        now: datetime,
        channel_chat: str | None = None,
    ) -> int | None:
        """Snapshot the audience into the outbox and mark the delivery sending, atomically.

        A one-off notice becomes the delivery itself; a recurring one spawns a child notice
        for this occurrence and moves on to `next_due`. Returns the id to deliver, or None
        when the notice is no longer scheduled for `occurrence`.
        """
        async with self._db.transaction() as tx:
            row = await tx.fetchone("SELECT status, due_at FROM notices WHERE id = ?", (notice.id,))
            if row is None or row["status"] != "scheduled" or row["due_at"] != to_db(occurrence):
                return None
            if notice.recurrence:
                cursor = await tx.execute(
                    f"INSERT INTO notices ({_COPIED}, status, parent_id, created_at, started_at)"
                    f" SELECT {_COPIED}, 'sending', id, ?, ? FROM notices WHERE id = ?",
                    (to_db(now), to_db(now), notice.id),
                )
                delivery_id = int(cursor.lastrowid or 0)
                await tx.execute(
                    "UPDATE notices SET due_at = ?, status = ? WHERE id = ?",
                    (
                        _optional(next_due),
                        "scheduled" if next_due else "done",
                        notice.id,
                    ),
                )
            else:
                delivery_id = notice.id
                await tx.execute(
                    "UPDATE notices SET status = 'sending', started_at = ? WHERE id = ?",
                    (to_db(now), notice.id),
                )
            total = await self._snapshot(tx, delivery_id, notice, now)
            if notice.channel and channel_chat:
                await tx.execute(
                    "INSERT INTO notice_outbox (notice_id, person_id, chat_id, language, state,"
                    " updated_at) VALUES (?, ?, ?, ?, 'pending', ?)",
                    (
                        delivery_id,
                        CHANNEL_PERSON,
                        channel_chat,
                        _channel_language(notice),
                        to_db(now),
                    ),
                )
                total += 1
            await tx.execute("UPDATE notices SET total = ? WHERE id = ?", (total, delivery_id))
        return delivery_id

    async def _snapshot(
        self, tx: Transaction, delivery_id: int, notice: Notice, now: datetime
    ) -> int:
        """Copy the audience into the outbox in one statement; return how many rows."""
        roles = AUDIENCE_ROLES[notice.audience]
        marks = ",".join("?" * len(roles))
        cursor = await tx.execute(
            "INSERT INTO notice_outbox (notice_id, person_id, chat_id, language, state, reason,"
            " updated_at)"
            f" SELECT ?, p.id, p.telegram_id, {EFFECTIVE_LANGUAGE},"
            " CASE WHEN p.telegram_id IS NULL THEN 'never_started'"
            "      WHEN p.reachable = 0 THEN COALESCE(u.state, 'blocked') ELSE 'pending' END,"
            " CASE WHEN p.telegram_id IS NULL OR p.reachable = 0 THEN 'skipped: unreachable'"
            "      ELSE '' END, ?"
            " FROM persons p LEFT JOIN notice_unreachable u ON u.person_id = p.id"
            " LEFT JOIN notice_client_languages c ON c.person_id = p.id"
            f" WHERE p.role IN ({marks}) AND p.erased_at IS NULL"
            f" AND (? IS NULL OR {EFFECTIVE_LANGUAGE} = ?)"
            " AND (? = 'official' OR p.news_enabled = 1)",
            (delivery_id, to_db(now), *roles, notice.language, notice.language, notice.category),
        )
        return max(cursor.rowcount, 0)

    async def audience_by_language(self, notice: Notice) -> dict[str, tuple[int, int]]:
        """Who the notice would reach now, per reading language: (people, of them reachable)."""
        roles = AUDIENCE_ROLES[notice.audience]
        marks = ",".join("?" * len(roles))
        rows = await self._db.fetchall(
            f"SELECT {EFFECTIVE_LANGUAGE} AS language, COUNT(*) AS n,"
            " SUM(p.telegram_id IS NOT NULL AND p.reachable = 1) AS reachable"
            " FROM persons p LEFT JOIN notice_client_languages c ON c.person_id = p.id"
            f" WHERE p.role IN ({marks}) AND p.erased_at IS NULL"
            f" AND (? IS NULL OR {EFFECTIVE_LANGUAGE} = ?)"
            " AND (? = 'official' OR p.news_enabled = 1) GROUP BY 1",
            (*roles, notice.language, notice.language, notice.category),
        )
        return {row["language"]: (int(row["n"]), int(row["reachable"] or 0)) for row in rows}

    async def set_progress_message(self, notice_id: int, message_id: int) -> None:
        """Remember the author's progress message, to keep editing it after a restart."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "UPDATE notices SET progress_message_id = ? WHERE id = ?", (message_id, notice_id)
            )
