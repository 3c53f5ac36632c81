"""Roster SQL: invite codes, applications, uploaded rosters, role changes and the audit log."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage.database import Database, Transaction
from storage.people import Language, Role
from storage.timestamps import from_db, from_db_optional, to_db

__all__ = [
    "Application",
    "AuditEntry",
    "EntryChange",
    "InviteCode",
    "RedeemStatus",
    "Redeemed",
    "RosterEntry",
    "RosterRepository",
    "Upload",
    "audit",
]


@dataclass(frozen=True)
class InviteCode:
    """A one-time code: for one roster entry, or for a role."""

    code: str
    person_id: int | None
    role: Role
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class RosterEntry:
    """What the importer compares a CSV row with."""

    id: int
    name: str
    unit: str
    role: Role
    telegram_id: int | None
    language: Language | None


@dataclass(frozen=True)
class EntryChange:
    """One entry to add (id None) or to update, as the importer decided."""

    id: int | None
    name: str
    unit: str
    role: Role
    telegram_id: int | None
    language: Language | None


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
    """A roster CSV sent to the bot, waiting for its uploader's confirmation."""

    id: int
    uploaded_by: int
    content: str
    status: str


@dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log with the names of the people involved."""

    at: datetime
    actor: str
    action: str
    subject: str
    detail: str


class RedeemStatus(StrEnum):
    """What happened to an invite code opened with /start."""

    BOUND = "bound"
    ROLE_GIVEN = "role_given"
    ALREADY_YOURS = "already_yours"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    ACCOUNT_TAKEN = "account_taken"
    ROLE_HELD = "role_held"


@dataclass(frozen=True)
class Redeemed:
    """The outcome of redeeming a code and the person it concerns."""

    status: RedeemStatus
    person_id: int | None = None


async def audit(
    tx: Transaction,
    now: datetime,
    actor: int | None,
    action: str,
    subject: int | None = None,
    detail: str = "",
) -> None:
    """Append one secretariat action to the audit log inside `tx`."""
    await tx.execute(
        "INSERT INTO audit_log (at, actor_person_id, action, subject_person_id, detail)"
        " VALUES (?, ?, ?, ?, ?)",
        (to_db(now), actor, action, subject, detail),
    )


def _invite(row: sqlite3.Row) -> InviteCode:
    return InviteCode(
        code=row["code"],
        person_id=row["person_id"],
        role=Role(row["role"]),
        created_at=from_db(row["created_at"]),
        expires_at=from_db(row["expires_at"]),
        used_at=from_db_optional(row["used_at"]),
    )


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


_ROSTER_ROLES = "('member', 'council', 'secretariat')"


class RosterRepository:
    """Reads and writes the roster's own tables and the roster side of persons."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # -- entries -------------------------------------------------------------------------

    async def entries(self) -> list[RosterEntry]:
        """Every person not erased, for matching imported rows."""
        rows = await self._db.fetchall(
            "SELECT id, name, unit, role, telegram_id, language FROM persons"
            " WHERE erased_at IS NULL ORDER BY id"
        )
        return [
            RosterEntry(
                row["id"],
                row["name"],
                row["unit"],
                Role(row["role"]),
                row["telegram_id"],
                row["language"],
            )
            for row in rows
        ]

    async def apply_changes(
        self, changes: Sequence[EntryChange], actor: int | None, now: datetime, summary: str
    ) -> list[int]:
        """Add and update entries in one transaction; return the ids in the order given."""
        ids: list[int] = []
        stamp = to_db(now)
        async with self._db.transaction() as tx:
            for change in changes:
                values = (
                    change.name,
                    change.unit,
                    change.role.value,
                    change.telegram_id,
                    change.language,
                )
                if change.id is None:
                    cursor = await tx.execute(
                        "INSERT INTO persons (name, unit, role, telegram_id, language,"
                        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (*values, stamp, stamp),
                    )
                    ids.append(int(cursor.lastrowid or 0))
                else:
                    await tx.execute(
                        "UPDATE persons SET name = ?, unit = ?, role = ?, telegram_id = ?,"
                        " language = COALESCE(?, language), updated_at = ? WHERE id = ?",
                        (*values, stamp, change.id),
                    )
                    ids.append(change.id)
            if changes:
                await audit(tx, now, actor, "roster_import", None, summary)
        return ids

    async def add_entry(
        self,
        name: str,
        unit: str,
        role: Role,
        language: Language | None,
        actor: int | None,
        now: datetime,
    ) -> int:
        """Add one roster entry (not yet bound) and log it; return its id."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT INTO persons (name, unit, role, language, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (name, unit, role.value, language, to_db(now), to_db(now)),
            )
            person_id = int(cursor.lastrowid or 0)
            await audit(tx, now, actor, "entry_added", person_id, role.value)
        return person_id

    async def change_role(
        self, person_id: int, role: Role, actor: int | None, now: datetime, action: str
    ) -> Role | None:
        """Set the role of a person (not erased) and log it; return the old role, or None."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT role FROM persons WHERE id = ? AND erased_at IS NULL", (person_id,)
            )
            if row is None:
                return None
            old = Role(row["role"])
            await tx.execute(
                "UPDATE persons SET role = ?, updated_at = ? WHERE id = ?",
                (role.value, to_db(now), person_id),
            )
            if role is Role.GUEST:
                await tx.execute(
                    "DELETE FROM invite_codes WHERE person_id = ? AND used_at IS NULL",
                    (person_id,),
                )
            await audit(tx, now, actor, action, person_id, f"{old.value}>{role.value}")
        return old

    async def role_counts(self) -> dict[Role, tuple[int, int]]:
        """Per role: (entries, entries bound to a Telegram account), erased people excluded."""
        rows = await self._db.fetchall(
            "SELECT role, COUNT(*) AS total, COUNT(telegram_id) AS bound FROM persons"
            " WHERE erased_at IS NULL GROUP BY role"
        )
        counts = {role: (0, 0) for role in Role}
        for row in rows:
            counts[Role(row["role"])] = (int(row["total"]), int(row["bound"]))
        return counts

    async def unreachable(self, limit: int) -> list[RosterEntry]:
        """Roster entries whose Telegram account blocked the bot."""
        return await self._entries(
            f"role IN {_ROSTER_ROLES} AND telegram_id IS NOT NULL AND reachable = 0", limit, 0
        )

    async def unbound(self, limit: int) -> list[RosterEntry]:
        """Roster entries no Telegram account is bound to yet."""
        return await self._entries(f"role IN {_ROSTER_ROLES} AND telegram_id IS NULL", limit, 0)

    async def roster_page(self, offset: int, limit: int) -> list[RosterEntry]:
        """A page of the roster, secretariat first, then council, then members, by name."""
        return await self._entries(f"role IN {_ROSTER_ROLES}", limit, offset)

    async def _entries(self, where: str, limit: int, offset: int) -> list[RosterEntry]:
        rows = await self._db.fetchall(
            "SELECT id, name, unit, role, telegram_id, language FROM persons"
            f" WHERE erased_at IS NULL AND {where}"
            " ORDER BY CASE role WHEN 'secretariat' THEN 0 WHEN 'council' THEN 1 ELSE 2 END,"
            " name, id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [
            RosterEntry(
                row["id"],
                row["name"],
                row["unit"],
                Role(row["role"]),
                row["telegram_id"],
                row["language"],
            )
            for row in rows
        ]

    # -- invite codes --------------------------------------------------------------------

    async def open_invite_for(self, person_id: int, now: datetime) -> InviteCode | None:
        """The entry's unused code that is still valid, if any."""
        row = await self._db.fetchone(
            "SELECT * FROM invite_codes WHERE person_id = ? AND used_at IS NULL"
            " AND expires_at > ? ORDER BY expires_at DESC LIMIT 1",
            (person_id, to_db(now)),
        )
        return _invite(row) if row else None

    async def add_invites(
        self,
        invites: Sequence[tuple[str, int | None, Role]],
        actor: int | None,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        """Store new codes `(code, person_id or None, role)`; role codes are logged."""
        async with self._db.transaction() as tx:
            await tx.executemany(
                "INSERT INTO invite_codes (code, person_id, role, created_by, created_at,"
                " expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (code, person_id, role.value, actor, to_db(now), to_db(expires_at))
                    for code, person_id, role in invites
                ],
            )
            for _code, person_id, role in invites:
                if person_id is None:
                    await audit(tx, now, actor, "role_invite", None, role.value)

    async def revoke_invites(self, person_id: int) -> None:
        """Drop the entry's unused codes (a new link replaces them)."""
        async with self._db.transaction() as tx:
            await tx.execute(
                "DELETE FROM invite_codes WHERE person_id = ? AND used_at IS NULL", (person_id,)
            )

    async def redeem(
        self, code: str, telegram_id: int, display_name: str, language: Language, now: datetime
    ) -> Redeemed:
        """Bind `telegram_id` to the code's entry, or give it the code's role; all or nothing."""
        stamp = to_db(now)
        async with self._db.transaction() as tx:
            row = await tx.fetchone("SELECT * FROM invite_codes WHERE code = ?", (code,))
            current = await tx.fetchone(
                "SELECT id, role FROM persons WHERE telegram_id = ?", (telegram_id,)
            )
            if row is None:
                return Redeemed(RedeemStatus.UNKNOWN)
            invite = _invite(row)
            if invite.used_at is not None:
                mine = current is not None and row["used_by"] == current["id"]
                status = RedeemStatus.ALREADY_YOURS if mine else RedeemStatus.USED
                return Redeemed(status, current["id"] if mine and current else None)
            if invite.expires_at <= now:
                return Redeemed(RedeemStatus.EXPIRED)
            if invite.person_id is None:
                return await self._redeem_role(
                    tx, invite, current, telegram_id, display_name, language, stamp
                )
            entry = await tx.fetchone(
                "SELECT id, telegram_id FROM persons WHERE id = ? AND erased_at IS NULL",
                (invite.person_id,),
            )
            if entry is None:
                return Redeemed(RedeemStatus.UNKNOWN)
            if entry["telegram_id"] == telegram_id:
                await self._mark_used(tx, code, entry["id"], stamp)
                return Redeemed(RedeemStatus.ALREADY_YOURS, entry["id"])
            if entry["telegram_id"] is not None:
                return Redeemed(RedeemStatus.USED)
            if current is not None:
                if Role(current["role"]) is not Role.GUEST:
                    return Redeemed(RedeemStatus.ACCOUNT_TAKEN, current["id"])
                await self._retire_guest(tx, current["id"], stamp)
            await tx.execute(
                "UPDATE persons SET telegram_id = ?, language = COALESCE(language, ?),"
                " reachable = 1, updated_at = ? WHERE id = ?",
                (telegram_id, language, stamp, entry["id"]),
            )
            await self._mark_used(tx, code, entry["id"], stamp)
            return Redeemed(RedeemStatus.BOUND, entry["id"])

    async def _redeem_role(
        self,
        tx: Transaction,
        invite: InviteCode,
        current: sqlite3.Row | None,
        telegram_id: int,
        display_name: str,
        language: Language,
        stamp: str,
    ) -> Redeemed:
        if current is not None and Role(current["role"]).at_least(invite.role):
            return Redeemed(RedeemStatus.ROLE_HELD, current["id"])
        if current is None:
            cursor = await tx.execute(
                "INSERT INTO persons (name, role, telegram_id, language, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (display_name, invite.role.value, telegram_id, language, stamp, stamp),
            )
            person_id = int(cursor.lastrowid or 0)
        else:
            person_id = int(current["id"])
            await tx.execute(
                "UPDATE persons SET role = ?, language = COALESCE(language, ?), reachable = 1,"
                " updated_at = ? WHERE id = ?",
                (invite.role.value, language, stamp, person_id),
            )
        await self._mark_used(tx, invite.code, person_id, stamp)
        return Redeemed(RedeemStatus.ROLE_GIVEN, person_id)

    @staticmethod
    async def _mark_used(tx: Transaction, code: str, person_id: int, stamp: str) -> None:
        await tx.execute(
            "UPDATE invite_codes SET used_at = ?, used_by = ? WHERE code = ?",
            (stamp, person_id, code),
        )

    @staticmethod
    async def _retire_guest(tx: Transaction, guest_id: int, stamp: str) -> None:
        """Free the Telegram account of the guest row it had before binding to an entry."""
        await tx.execute(
            "UPDATE applications SET status = 'withdrawn', decided_at = ?"
            " WHERE person_id = ? AND status = 'pending'",
            (stamp, guest_id),
        )
        try:
            await tx.execute("DELETE FROM persons WHERE id = ?", (guest_id,))
        except sqlite3.IntegrityError:
            await tx.execute(
                "UPDATE persons SET telegram_id = NULL, updated_at = ? WHERE id = ?",
                (stamp, guest_id),
            )

    # -- applications --------------------------------------------------------------------

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
                "INSERT OR REPLACE INTO application_messages (application_id, chat_id, message_id)"
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

    # -- uploads -------------------------------------------------------------------------

    async def add_upload(self, uploaded_by: int, content: str, now: datetime) -> int:
        """Keep an uploaded roster until its uploader confirms it; return its id."""
        async with self._db.transaction() as tx:
            cursor = await tx.execute(
                "INSERT INTO roster_uploads (uploaded_by, content, created_at) VALUES (?, ?, ?)",
                (uploaded_by, content, to_db(now)),
            )
        return int(cursor.lastrowid or 0)

    async def take_upload(self, upload_id: int, uploaded_by: int, status: str) -> Upload | None:
        """Close the uploader's pending upload with `status`; None if not theirs or not pending."""
        async with self._db.transaction() as tx:
            row = await tx.fetchone(
                "SELECT * FROM roster_uploads WHERE id = ? AND uploaded_by = ?"
                " AND status = 'pending'",
                (upload_id, uploaded_by),
            )
            if row is None:
                return None
            await tx.execute(
                "UPDATE roster_uploads SET status = ?, content = CASE WHEN ? = 'cancelled'"
                " THEN '' ELSE content END WHERE id = ?",
                (status, status, upload_id),
            )
        return Upload(row["id"], row["uploaded_by"], row["content"], status)

    # -- audit log -----------------------------------------------------------------------

    async def audit_page(self, offset: int, limit: int) -> list[AuditEntry]:
        """The audit log, newest first, with names (blank when erased)."""
        rows = await self._db.fetchall(
            "SELECT a.at, a.action, a.detail, a.actor_person_id, a.subject_person_id,"
            " actor.name AS actor_name, subject.name AS subject_name FROM audit_log a"
            " LEFT JOIN persons actor ON actor.id = a.actor_person_id"
            " LEFT JOIN persons subject ON subject.id = a.subject_person_id"
            " ORDER BY a.id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [
            AuditEntry(
                at=from_db(row["at"]),
                actor=_label(row["actor_name"], row["actor_person_id"]),
                action=row["action"],
                subject=_label(row["subject_name"], row["subject_person_id"]),
                detail=row["detail"],
            )
            for row in rows
        ]

    # -- command menus -------------------------------------------------------------------

    async def menu_key(self, person_id: int) -> str | None:
        """The role and language of the command menu last set for the person."""
        row = await self._db.fetchone("SELECT menu_key FROM persons WHERE id = ?", (person_id,))
        return row["menu_key"] if row else None

    async def set_menu_key(self, person_id: int, key: str | None) -> None:
        """Remember which menu the person's chat shows."""
        async with self._db.transaction() as tx:
            await tx.execute("UPDATE persons SET menu_key = ? WHERE id = ?", (key, person_id))

    async def stale_menus(self) -> list[int]:
        """Ids of bound, reachable people whose chat shows a menu for another role or language."""
        rows = await self._db.fetchall(
            "SELECT id FROM persons WHERE telegram_id IS NOT NULL AND reachable = 1"
            " AND erased_at IS NULL AND NOT (role = 'guest' AND menu_key IS NULL)"
            " AND menu_key IS NOT role || ':' || COALESCE(language, '*') ORDER BY id"
        )
        return [int(row["id"]) for row in rows]


def _label(name: str | None, person_id: int | None) -> str:
    if person_id is None:
        return ""
    return name or f"#{person_id}"
