"""The audit log of secretariat actions, written inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime

from storage.database import Transaction
from storage.timestamps import to_db

__all__ = ["audit"]


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
