"""Aware datetimes to and from the database's UTC text."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["from_db", "from_db_optional", "to_db"]


def to_db(moment: datetime) -> str:
    """Return `moment` as fixed-width ISO text in UTC (sorts as time does)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    """Parse text written by `to_db` into an aware UTC datetime."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def from_db_optional(text: str | None) -> datetime | None:
    """Like `from_db`, passing None through."""
    return None if text is None else from_db(text)
