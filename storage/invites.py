"""Invite codes: personal (bind one roster entry) or for a role; one-time and expiring."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from storage.audit_log import audit
from storage.database import Database, Transaction
from storage.people import Language, Role
from storage.timestamps import from_db, from_db_optional, to_db

__all__ = ["InviteCode", "InviteRepository", "RedeemStatus", "Redeemed"]


@dataclass(frozen=True)
class InviteCode:
    """A one-time code: for one roster entry, or for a role."""

    code: str
    person_id: int | None
    role: Role
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


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


def _invite(row: sqlite3.Row) -> InviteCode:
    return InviteCode(
        code=row["code"],
        person_id=row["person_id"],
        role=Role(row["role"]),
        created_at=from_db(row["created_at"]),
        expires_at=from_db(row["expires_at"]),
        used_at=from_db_optional(row["used_at"]),
    )


class InviteRepository:
    """Invite codes: personal ones for a roster entry, one-time ones for a role."""

    def __init__(self, db: Database) -> None:
        self._db = db

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
                await self._retire_guest(tx, current["id"], entry["id"], stamp)
            await tx.execute(
                "UPDATE persons SET telegram_id = ?, language = COALESCE(language, ?),"
                " reachable = 1, never_started = 0, updated_at = ? WHERE id = ?",
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
                " never_started = 0, updated_at = ? WHERE id = ?",
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
    async def _retire_guest(tx: Transaction, guest_id: int, entry_id: int, stamp: str) -> None:
        """Free the Telegram account of the guest row it had before binding to an entry."""
        await tx.execute(
            "UPDATE applications SET status = 'withdrawn', decided_at = ?"
            " WHERE person_id = ? AND status = 'pending'",
            (stamp, guest_id),
        )
        await tx.execute(
            "UPDATE applications SET person_id = ? WHERE person_id = ?", (entry_id, guest_id)
        )
        try:
            await tx.execute("DELETE FROM persons WHERE id = ?", (guest_id,))
        except sqlite3.IntegrityError:
            await tx.execute(
                "UPDATE persons SET telegram_id = NULL, updated_at = ? WHERE id = ?",
                (stamp, guest_id),
            )
