"""Adding one roster entry by hand: the same name and unit already on the roster is that person."""

from __future__ import annotations

from dataclasses import dataclass

from storage.people import Language, Role
from storage.roster import RosterEntry, RosterRepository

__all__ = ["NewEntry", "existing_entry", "person_key"]


@dataclass(frozen=True)
class NewEntry:
    """An entry the secretariat asked for, kept while they decide about a namesake."""

    name: str
    unit: str
    role: Role
    language: Language | None


def person_key(name: str, unit: str) -> tuple[str, str]:
    """Name and unit as the roster import compares them: spaces collapsed, case ignored."""
    return " ".join(name.split()).casefold(), " ".join(unit.split()).casefold()


async def existing_entry(roster: RosterRepository, name: str, unit: str) -> RosterEntry | None:
    """The entry with this name and unit, as the roster import would match it, or None.

    A roster entry wins over a removed one (a guest who keeps their unit); a guest known only
    by the name they gave Telegram is never the same person.
    """
    key = person_key(name, unit)
    matches = [
        entry
        for entry in await roster.entries()
        if (entry.role is not Role.GUEST or entry.unit)
        and person_key(entry.name, entry.unit) == key
    ]
    matches.sort(key=lambda entry: (entry.role is Role.GUEST, entry.id))
    return matches[0] if matches else None
