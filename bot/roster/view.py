"""What `/members` shows the secretariat: counts, reach, search, pages, the audit log, exports."""

from __future__ import annotations

from datetime import date

from bot.roster.export import ExportFormat, RosterFile, export_roster
from storage.applications import Application, ApplicationRepository
from storage.people import Role
from storage.roster import AuditEntry, Reach, ReachCounts, RosterEntry, RosterRepository

__all__ = ["RosterView"]


class RosterView:
    """Read-only views of the roster for the secretariat."""

    def __init__(self, roster: RosterRepository, applications: ApplicationRepository) -> None:
        self._roster = roster
        self._applications = applications

    async def pending_applications(self, limit: int) -> list[Application]:
        """The oldest applications waiting for a decision."""
        return await self._applications.pending_applications(limit)

    async def reach_counts(self) -> dict[Role, ReachCounts]:
        """Per role: entries, and how many can be reached."""
        return await self._roster.reach_counts()

    async def with_reach(self, reach: Reach, limit: int) -> list[RosterEntry]:
        """Roster entries that blocked the bot or never started it."""
        return await self._roster.with_reach(reach, limit)

    async def count_pending_applications(self) -> int:
        """How many applications wait for a decision."""
        return await self._applications.count_pending_applications()

    async def search(self, text: str, limit: int) -> list[RosterEntry]:
        """Entries whose name or unit contains the text."""
        return await self._roster.search(text, limit)

    async def reach_of(self, person_id: int) -> Reach | None:
        """Whether the person can be written to."""
        return await self._roster.reach_of(person_id)

    async def page(self, offset: int, limit: int) -> list[RosterEntry]:
        """A page of the roster, by name."""
        return await self._roster.roster_page(offset, limit)

    async def audit_page(self, offset: int, limit: int) -> list[AuditEntry]:
        """A page of the audit log, newest first."""
        return await self._roster.audit_page(offset, limit)

    async def export(self, kind: ExportFormat, today: date) -> RosterFile:
        """The whole roster as a CSV or Excel file."""
        return await export_roster(self._roster, kind, today)
