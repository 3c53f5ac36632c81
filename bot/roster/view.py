"""What `/members` shows the secretariat: counts, reach, search, pages, the audit log, exports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.roster.export import ExportFormat, RosterFile, export_roster
from storage.applications import Application, ApplicationRepository
from storage.people import PeopleRepository, Person, Role
from storage.roster import AuditEntry, Reach, ReachCounts, RosterEntry, RosterRepository

__all__ = ["ROSTER_ROLES", "Overview", "PersonCard", "RosterView", "Unreachable"]

# The roles on the roster (a guest is not on it).
ROSTER_ROLES = (Role.SECRETARIAT, Role.COUNCIL, Role.MEMBER)


@dataclass(frozen=True)
class Unreachable:
    """The roster's entries with one reach (blocked, never started): how many, the first few."""

    reach: Reach
    total: int
    first: list[RosterEntry]
    more: bool  # there are more than the first few


@dataclass(frozen=True)
class Overview:
    """The head of /members: counts per role, who cannot be written to, applications waiting."""

    counts: dict[Role, ReachCounts]
    unreachable: list[Unreachable]  # blocked, then never started
    pending_applications: int


@dataclass(frozen=True)
class PersonCard:
    """One person as their card shows them: the entry and whether they can be written to."""

    person: Person
    reach: Reach | None


class RosterView:
    """Read-only views of the roster for the secretariat."""

    def __init__(
        self,
        people: PeopleRepository,
        roster: RosterRepository,
        applications: ApplicationRepository,
    ) -> None:
        self._people = people
        self._roster = roster
        self._applications = applications

    async def overview(self, names_shown: int) -> Overview:
        """Counts per role, the first `names_shown` of those blocked and never started, and
        how many applications wait."""
        counts = await self._roster.reach_counts()
        unreachable = []
        for reach in (Reach.BLOCKED, Reach.NEVER_STARTED):
            total = sum(
                counts[role].blocked if reach is Reach.BLOCKED else counts[role].never_started
                for role in ROSTER_ROLES
            )
            entries = await self._roster.with_reach(reach, names_shown + 1)
            unreachable.append(
                Unreachable(reach, total, entries[:names_shown], len(entries) > names_shown)
            )
        pending = await self._applications.count_pending_applications()
        return Overview(counts, unreachable, pending)

    async def card(self, person_id: int) -> PersonCard | None:
        """The person's card; None for no entry (or an erased one)."""
        person = await self._people.get(person_id)
        if person is None or (not person.name and person.telegram_id is None):
            return None
        return PersonCard(person, await self._roster.reach_of(person.id))

    async def pending_applications(self, limit: int) -> list[Application]:
        """The oldest applications waiting for a decision."""
        return await self._applications.pending_applications(limit)

    async def search(self, text: str, limit: int) -> list[RosterEntry]:
        """Entries whose name or unit contains the text."""
        return await self._roster.search(text, limit)

    async def page(self, offset: int, limit: int) -> list[RosterEntry]:
        """A page of the roster, by name."""
        return await self._roster.roster_page(offset, limit)

    async def audit_page(self, offset: int, limit: int) -> list[AuditEntry]:
        """A page of the audit log, newest first."""
        return await self._roster.audit_page(offset, limit)

    async def export(self, kind: ExportFormat, today: date) -> RosterFile:
        """The whole roster as a CSV or Excel file."""
        return await export_roster(self._roster, kind, today)
