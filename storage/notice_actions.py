"""The outboxes of actions on a delivered notice: follow-ups, corrections and recalls.

An action (a follow-up to those who have not confirmed, a correction, a recall) is a row of
`notices` with `kind` and `parent_id`; its outbox is copied from the parent's delivered copies
and then runs through the same paced engine as a delivery.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.database import Database, Transaction
from storage.timestamps import to_db

__all__ = ["DELETE_WINDOW", "NoticeActionRepository"]

# Telegram lets a bot delete its messages for 48 hours after sending them.
DELETE_WINDOW = timedelta(hours=48)


class NoticeActionRepository:
    """The actions of notices: which run, their outboxes copied from the parent's copies."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def copies(self, notice_id: int, now: datetime) -> tuple[int, int, int]:
        """(delivered copies on record, of them older than 48 hours, copies still to send)."""
        row = await self._db.fetchone(
            "SELECT SUM(state = 'sent' AND message_id IS NOT NULL) AS delivered,"
            " SUM(state = 'sent' AND message_id IS NOT NULL AND sent_at < ?) AS old,"
            " SUM(state IN ('pending', 'sending')) AS waiting"
            " FROM notice_outbox WHERE notice_id = ?",
            (to_db(now - DELETE_WINDOW), notice_id),
        )
        if row is None:
            return 0, 0, 0
        return int(row["delivered"] or 0), int(row["old"] or 0), int(row["waiting"] or 0)

    async def actions_of(self, parent_id: int, kinds: tuple[str, ...]) -> list[int]:
        """Ids of the parent's actions of these kinds still running (or waiting to run)."""
        marks = ",".join("?" * len(kinds))
        rows = await self._db.fetchall(
            f"SELECT id FROM notices WHERE parent_id = ? AND kind IN ({marks})"
            " AND status IN ('pending_approval', 'scheduled', 'sending') ORDER BY id",
            (parent_id, *kinds),
        )
        return [int(row["id"]) for row in rows]

    async def start_action(
        self,
        action_id: int,
        parent_id: int,
        kind: str,
        now: datetime,
        languages: tuple[str, ...] = ("zh", "en"),
        texts: tuple[str | None, str | None] | None = None,
    ) -> bool:
        """Copy the parent's delivered copies into the action's outbox and mark it sending.

        A correction (`texts` = the new zh and en versions) also replaces the parent's text
        and raises its revision in the same transaction, so copies still to be sent get the
        new text; only copies in `languages` (whose version changed) are edited. A recall
        records copies older than 48 hours as failed, without a call.
        """
        async with self._db.transaction() as tx:
            moved = await tx.execute(
                "UPDATE notices SET status = 'sending', started_at = ?"
                " WHERE id = ? AND status = 'scheduled'",
                (to_db(now), action_id),
            )
            if moved.rowcount == 0:
                return False
            revision = None
            if kind == "edit" and texts is not None:
                await tx.execute(
                    "UPDATE notices SET text_zh = ?, text_en = ?, revision = revision + 1"
                    " WHERE id = ?",
                    (*texts, parent_id),
                )
                row = await tx.fetchone("SELECT revision FROM notices WHERE id = ?", (parent_id,))
                revision = int(row["revision"]) if row else None
                await tx.execute(
                    "UPDATE notices SET revision = ? WHERE id = ?", (revision, action_id)
                )
            total = await _copy_outbox(tx, action_id, parent_id, kind, now, languages, revision)
            await tx.execute("UPDATE notices SET total = ? WHERE id = ?", (total, action_id))
        return True

    async def top_up_edit(
        self, action_id: int, parent_id: int, revision: int, languages: tuple[str, ...]
    ) -> int:
        """Add copies delivered with an older text after the correction began (sends in flight)."""
        marks = ",".join("?" * len(languages))
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT OR IGNORE INTO notice_outbox (notice_id, person_id, chat_id, language,"
                " message_id, state, updated_at)"
                " SELECT ?, person_id, chat_id, language, message_id, 'pending', updated_at"
                " FROM notice_outbox WHERE notice_id = ? AND state = 'sent'"
                f" AND message_id IS NOT NULL AND revision < ? AND language IN ({marks})",
                (action_id, parent_id, revision, *languages),
            )
            added = max(cursor.rowcount, 0)
            if added:
                await tx.execute(
                    "UPDATE notices SET total = total + ? WHERE id = ?", (added, action_id)
                )
        return added


async def _copy_outbox(
    tx: Transaction,
    action_id: int,
    parent_id: int,
    kind: str,
    now: datetime,
    languages: tuple[str, ...],
    revision: int | None,
) -> int:
    """The action's outbox, in one statement; returns how many rows."""
    if kind == "reminder":
        cursor = await tx.execute(
            "INSERT INTO notice_outbox (notice_id, person_id, chat_id, language, state,"
            " updated_at) SELECT ?, o.person_id, o.chat_id, o.language, 'pending', ?"
            " FROM notice_outbox o JOIN persons p ON p.id = o.person_id AND p.erased_at IS NULL"
            " WHERE o.notice_id = ? AND o.state = 'sent' AND NOT EXISTS (SELECT 1 FROM"
            " notice_receipts r WHERE r.notice_id = o.notice_id AND r.person_id = o.person_id)",
            (action_id, to_db(now), parent_id),
        )
    elif kind == "edit":
        marks = ",".join("?" * len(languages))
        cursor = await tx.execute(
            "INSERT INTO notice_outbox (notice_id, person_id, chat_id, language, message_id,"
            " state, updated_at) SELECT ?, person_id, chat_id, language, message_id, 'pending', ?"
            " FROM notice_outbox WHERE notice_id = ? AND state = 'sent'"
            f" AND message_id IS NOT NULL AND revision < ? AND language IN ({marks})",
            (action_id, to_db(now), parent_id, revision or 0, *languages),
        )
    else:
        cursor = await tx.execute(
            "INSERT INTO notice_outbox (notice_id, person_id, chat_id, language, message_id,"
            " state, reason, updated_at)"
            " SELECT ?, person_id, chat_id, language, message_id,"
            " CASE WHEN sent_at < ? THEN 'failed' ELSE 'pending' END,"
            " CASE WHEN sent_at < ? THEN 'older than 48 hours' ELSE '' END, ?"
            " FROM notice_outbox WHERE notice_id = ? AND state = 'sent'"
            " AND message_id IS NOT NULL",
            (action_id, *[to_db(now - DELETE_WINDOW)] * 2, to_db(now), parent_id),
        )
    return max(cursor.rowcount, 0)
