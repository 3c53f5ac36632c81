"""Applications to join and roster uploads waiting for confirmation."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage.audit_log import audit
from storage.database import Database, Transaction
from storage.people import Language, Role
from storage.timestamps import from_db, to_db

__all__ = ["Application", "ApplicationRepository", "Upload", "UploadRepository"]


@dataclass(frozen=True)
class Application:
    """A guest's request to join."""

    id: int
    person_id: int
    name: str
    unit: str
    language: Language
    status: str
    created_at: datetime
    decided_by: int | None


@dataclass(frozen=True)
class Upload:
    """A roster CSV sent to the bot, waiting for its uploader's confirmation.

    `status` is what closing it did: `imported`, `cancelled`, or `expired` (too old to use).
    """

    id: int
    uploaded_by: int
    content: str
    status: str


def _application(row: sqlite3.Row) -> Application:
    return Application(
        id=row["id"],
        person_id=row["person_id"],
        name=row["name"],
        unit=row["unit"],
        language=row["language"],
        status=row["status"],
        created_at=from_db(row["created_at"]),
        decided_by=row["decided_by"],
    )


class ApplicationRepository:
    """Guests' applications to join, and the secretariat's decisions on them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def create_application(
        self, person_id: int, name: str, unit: str, language: Language, now: datetime
    ) -> int | None:
        """Store a pending application; None when the person already has one pending."""
        async with self._db.transaction() as tx:
            try:
                cursor = await tx.execute(
                    "INSERT INTO applications (person_id, name, unit, language, created_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (person_id, name, unit, language, to_db(now)),
                )
            except sqlite3.IntegrityError:
                return None
            return int(cursor.lastrowid or 0)

    async def get_application(self, application_id: int) -> Application | None:
        """The application with this id."""
        row = await self._db.fetchone("SELECT * FROM applications WHERE id = ?", (application_id,))
        return _application(row) if row else None

    async def pending_application_of(self, person_id: int) -> Application | None:
        """The person's pending application, if any."""
        row = await self._db.fetchone(
            "SELECT * FROM applications WHERE person_id = ? AND status = 'pending'", (person_id,)
        )
        return _application(row) if row else None

    async def pending_applications(self, limit: int) -> list[Application]:
        """Applications waiting for a decision, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM applications WHERE status = 'pending' ORDER BY id LIMIT ?", (limit,)
        )
        return [_application(row) for row in rows]

    async def count_pending_applications(self) -> int:
        """How many applications wait for a decision."""
        row = await self._db.fetchone("SELECT COUNT(*) FROM applications WHERE status = 'pending'")
        return int(row[0]) if row else 0

    async def add_application_message(
        self, application_id: int, chat_id: int, message_id: int
    ) -> None:
        """Remember a request message sent to a secretariat member."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT OR IGNORE INTO application_messages (application_id, chat_id, message_id)"
                " VALUES (?, ?, ?)",
                (application_id, chat_id, message_id),
            )

    async def application_messages(self, application_id: int) -> list[tuple[int, int]]:
        """(chat id, message id) of every request message of an application."""
        rows = await self._db.fetchall(
            "SELECT chat_id, message_id FROM application_messages WHERE application_id = ?",
            (application_id,),
        )
        return [(int(row["chat_id"]), int(row["message_id"])) for row in rows]

    async def decide(self, application_id: int, outcome: str, actor: int, now: datetime) -> bool:
        """Decide a pending application (first decision wins) and apply it; False if too late."""
        stamp = to_db(now)
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "UPDATE applications SET status = ?, decided_at = ?, decided_by = ?"
                " WHERE id = ? AND status = 'pending'",
                (outcome, stamp, actor, application_id),
            )
            if cursor.rowcount != 1:
                return False
            row = await tx.fetchone("SELECT * FROM applications WHERE id = ?", (application_id,))
            assert row is not None
            if outcome in (Role.MEMBER.value, Role.COUNCIL.value):
                await tx.execute(
                    "UPDATE persons SET role = CASE WHEN role = 'secretariat' THEN role ELSE ?"
                    " END, name = ?, unit = ?, language = COALESCE(language, ?),"
                    " updated_at = ? WHERE id = ?",
                    (outcome, row["name"], row["unit"], row["language"], stamp, row["person_id"]),
                )
            await audit(
                tx, now, actor, f"application_{outcome}", row["person_id"], f"#{application_id}"
            )
        return True


class UploadRepository:
    """Roster files sent to the bot, kept until their uploader confirms or cancels them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_upload(
        self, uploaded_by: int, content: str, now: datetime, ttl: timedelta
    ) -> int:
        """Keep an uploaded roster until its uploader confirms it; return its id.

        The file holds other people's data: it is blanked once confirmed or cancelled, and
        those left unconfirmed for longer than `ttl` are dropped.
        """
        async with self._db.transaction() as tx:
            await _drop_expired(tx, now - ttl)
            cursor = await tx.execute(
                "INSERT INTO roster_uploads (uploaded_by, content, created_at) VALUES (?, ?, ?)",
                (uploaded_by, content, to_db(now)),
            )
        return int(cursor.lastrowid or 0)

    async def take_upload(
        self, upload_id: int, uploaded_by: int, status: str, now: datetime, ttl: timedelta
    ) -> Upload | None:
        """Close the uploader's pending upload with `status` and return its content.

        None when the upload is not theirs or no longer pending. An upload older than `ttl`
        is dropped instead and comes back with the status `expired` and no content.
        """
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT * FROM roster_uploads WHERE id = ? AND uploaded_by = ?"
                " AND status = 'pending'",
                (upload_id, uploaded_by),
            )
            if row is None:
                return None
            expired = from_db(row["created_at"]) < now - ttl
            await tx.execute(
                "UPDATE roster_uploads SET status = ?, content = '' WHERE id = ?",
                ("cancelled" if expired else status, upload_id),
            )
            await _drop_expired(tx, now - ttl)
        if expired:
            return Upload(row["id"], row["uploaded_by"], "", "expired")
        return Upload(row["id"], row["uploaded_by"], row["content"], status)


async def _drop_expired(tx: Transaction, before: datetime) -> None:
    """Blank the pending uploads made before `before`: their previews have expired."""
    await tx.execute(
        "UPDATE roster_uploads SET status = 'cancelled', content = ''"
        " WHERE status = 'pending' AND created_at < ?",
        (to_db(before),),
    )
