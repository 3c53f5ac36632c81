"""The roster service: people, roles, invites, applications and imports, for the chat."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from telegram.error import TelegramError

from bot.clock import Clock
from bot.i18n import t
from bot.messaging import Messenger
from bot.roster.csv_import import ImportPlan, ImportReport, apply_plan, plan_import
from bot.roster.entries import NewEntry, existing_entry
from bot.roster.invites import links_for_entries, role_link
from bot.roster.menus import sync_menu, sync_person, sync_stale_menus
from bot.roster.news import tell_secretariat_of, tell_secretariat_of_reach
from bot.roster.reach import PersonHook, announce_joined
from bot.roster.roles import audit_action, needs_confirmation
from bot.roster.view import RosterView
from storage.applications import Application, ApplicationRepository, Upload, UploadRepository
from storage.database import Database
from storage.invites import InviteRepository, RedeemStatus
from storage.people import Language, PeopleRepository, Person, Role
from storage.roster import RosterEntry, RosterRepository

__all__ = [
    "EntryOutcome",
    "JoinRefusal",
    "NewEntryResult",
    "Redemption",
    "RenewOutcome",
    "RoleChange",
    "RoleOutcome",
    "RosterService",
]

logger = logging.getLogger(__name__)

_WELCOMED = (RedeemStatus.BOUND, RedeemStatus.ROLE_GIVEN, RedeemStatus.ALREADY_YOURS)


class RoleOutcome(StrEnum):
    """What a role change from a person's card did."""

    INVALID = "invalid"  # no such entry (or erased)
    YOURSELF = "yourself"  # nobody changes their own role
    UNCHANGED = "unchanged"  # the person has that role already
    ASK_FIRST = "ask_first"  # to or from the secretariat, or a removal: confirm first
    CHANGED = "changed"


@dataclass(frozen=True)
class RoleChange:
    """A role change's outcome and the person it is about (as before the change)."""

    outcome: RoleOutcome
    person: Person | None = None


class EntryOutcome(StrEnum):
    """What adding one roster entry by hand did."""

    NAMESAKE = "namesake"  # the same name and unit is on the roster: offered instead
    ASK_SECRETARIAT = "ask_secretariat"  # a secretariat entry: confirm first
    MADE = "made"


@dataclass(frozen=True)
class NewEntryResult:
    """The entry added (with its personal link), or why it was held back."""

    outcome: EntryOutcome
    person_id: int | None = None
    link: str = ""
    existing: RosterEntry | None = None


class JoinRefusal(StrEnum):
    """Why a person may not apply to join."""

    ON_ROSTER = "on_roster"  # they have a role already
    PENDING = "pending"  # their application waits for a decision


class RenewOutcome(StrEnum):
    """What asking for a new personal link did."""

    NO_ENTRY = "no_entry"  # no such roster entry (or removed)
    ALREADY_BOUND = "already_bound"  # the entry is on Telegram already
    MADE = "made"


@dataclass(frozen=True)
class Redemption:
    """`/start CODE`: how the code was taken and the person it bound (when it did)."""

    status: RedeemStatus
    person: Person | None = None

    @property
    def welcomed(self) -> bool:
        """The account is (now) the code's entry or has the code's role."""
        return self.person is not None and self.status in _WELCOMED


class RosterService:
    """The rules of the roster; the chat, jobs and the console call it, never its tables."""

    def __init__(
        self,
        *,
        db: Database,
        clock: Clock,
        messenger: Messenger,
        joined_hooks: list[PersonHook] | None = None,
    ) -> None:
        self._people = PeopleRepository(db)
        self._roster = RosterRepository(db)
        self._invites = InviteRepository(db)
        self._applications = ApplicationRepository(db)
        self._uploads = UploadRepository(db)
        self._clock = clock
        self._messenger = messenger
        self.joined_hooks: list[PersonHook] = joined_hooks if joined_hooks is not None else []
        self.view = RosterView(self._people, self._roster, self._applications)

    # People ----------------------------------------------------------------------------------

    async def person(self, person_id: int) -> Person | None:
        """The person with this id."""
        return await self._people.get(person_id)

    async def person_of_account(self, telegram_id: int) -> Person | None:
        """The person bound to this Telegram account."""
        return await self._people.get_by_telegram_id(telegram_id)

    async def heard_from(self, telegram_id: int) -> None:
        """Someone wrote in a private chat: reachable again, and the features are told."""
        person_id = await self._people.mark_heard_from(telegram_id, self._clock.now())
        if person_id is not None:
            await announce_joined(self.joined_hooks, person_id)

    async def reach_changed(self, telegram_id: int, reachable: bool) -> None:
        """A block, a leave or a new start recorded; the secretariat told when it moved a
        member's reach (and so the count behind a quorum). Someone who started the bot
        again gets a current menu and what they missed."""
        before = await self._people.get_by_telegram_id(telegram_id)
        person = await self._messenger.chat_member_changed(telegram_id, reachable)
        await tell_secretariat_of_reach(self._messenger, self._people, self._roster, before, person)
        if person is not None and reachable:
            await sync_menu(self._messenger.bot, self._roster, person)
            await announce_joined(self.joined_hooks, person.id)

    # Menus -----------------------------------------------------------------------------------

    async def keep_menu_current(self, telegram_id: int) -> None:
        """The account's menu shows its person's role and language."""
        person_id = await self._roster.stale_menu_of(telegram_id)
        person = await self._people.get(person_id) if person_id is not None else None
        if person is not None:
            await sync_menu(self._messenger.bot, self._roster, person)

    async def sync_stale_menus(self, limit: int | None = None) -> tuple[int, bool]:
        """Up to `limit` stale menus set; (how many, whether more are stale)."""
        return await sync_stale_menus(self._messenger.bot, self._people, self._roster, limit=limit)

    async def sync_queued_menus(self, limit: int) -> None:
        """The menus of people another process (`roster import`) changed."""
        for person_id in await self._roster.take_menu_refreshes(limit):
            await sync_person(self._messenger.bot, self._people, self._roster, person_id)

    # Invites ---------------------------------------------------------------------------------

    async def redeem(
        self, code: str, telegram_id: int, display_name: str, language: Language
    ) -> Redemption:
        """Bind the account to the code's entry, or give it the code's role."""
        now = self._clock.now()
        outcome = await self._invites.redeem(code, telegram_id, display_name, language, now)
        person = await self._people.get(outcome.person_id) if outcome.person_id else None
        return Redemption(outcome.status, person)

    async def welcomed(self, redemption: Redemption) -> None:
        """After the greeting: the menu, the features, and the secretariat told of the news."""
        person = redemption.person
        if person is None:
            return
        await sync_menu(self._messenger.bot, self._roster, person)
        await announce_joined(self.joined_hooks, person.id)
        if redemption.status is not RedeemStatus.ALREADY_YOURS and person.role is not Role.GUEST:
            await tell_secretariat_of(
                self._messenger,
                self._people,
                self._roster,
                "bound",
                person.role,
                name=person.name,
                person_id=person.id,
            )

    async def role_link(self, role: Role, username: str, actor: Person) -> str:
        """A one-time link that gives member or council to whoever opens it first."""
        if role not in (Role.MEMBER, Role.COUNCIL):
            raise ValueError(f"no role link for {role}")
        return await role_link(self._invites, role, username, actor.id, self._clock.now())

    async def add_entry(
        self,
        entry: NewEntry,
        username: str,
        actor: Person,
        *,
        namesake_checked: bool = False,
        secretariat_confirmed: bool = False,
    ) -> NewEntryResult:
        """Add one entry and make its link; a namesake is offered first, and a secretariat
        entry is made only once confirmed (it is written to the audit log either way)."""
        if not namesake_checked:
            existing = await existing_entry(self._roster, entry.name, entry.unit)
            if existing is not None:
                return NewEntryResult(EntryOutcome.NAMESAKE, existing=existing)
        if entry.role is Role.SECRETARIAT and not secretariat_confirmed:
            return NewEntryResult(EntryOutcome.ASK_SECRETARIAT)
        now = self._clock.now()
        person_id = await self._roster.add_entry(
            entry.name, entry.unit, entry.role, entry.language, actor.id, now
        )
        links = await links_for_entries(
            self._invites, [(person_id, entry.role)], username, actor.id, now
        )
        return NewEntryResult(EntryOutcome.MADE, person_id, links[person_id])

    async def renew_link(
        self, person_id: int, username: str, actor: Person
    ) -> tuple[RenewOutcome, RosterEntry | None, str]:
        """A new personal link for an entry not yet bound (older ones stop working)."""
        entry = await self._roster.entry(person_id)
        if entry is None or entry.role is Role.GUEST:
            return RenewOutcome.NO_ENTRY, None, ""
        if entry.telegram_id is not None:
            return RenewOutcome.ALREADY_BOUND, entry, ""
        links = await links_for_entries(
            self._invites,
            [(entry.id, entry.role)],
            username,
            actor.id,
            self._clock.now(),
            renew=True,
        )
        return RenewOutcome.MADE, entry, links[entry.id]

    # Roles -----------------------------------------------------------------------------------

    async def change_role(
        self, actor: Person, person_id: int, role: Role, *, confirmed: bool
    ) -> RoleChange:
        """Give a person another role (guest = removed); tell them; update menu and meetings.

        A change to or from the secretariat, or a removal, waits for `confirmed`."""
        person = await self._people.get(person_id)
        if person is None or (not person.name and person.telegram_id is None):
            return RoleChange(RoleOutcome.INVALID)
        if person.id == actor.id:
            return RoleChange(RoleOutcome.YOURSELF, person)
        if person.role is role:
            return RoleChange(RoleOutcome.UNCHANGED, person)
        if needs_confirmation(person.role, role) and not confirmed:
            return RoleChange(RoleOutcome.ASK_FIRST, person)
        action = audit_action(person.role, role)
        now = self._clock.now()
        if await self._roster.change_role(person.id, role, actor.id, now, action) is None:
            return RoleChange(RoleOutcome.INVALID, person)
        await self._tell_role(person, role)
        await sync_person(self._messenger.bot, self._people, self._roster, person.id)
        if role is not Role.GUEST:
            await announce_joined(self.joined_hooks, person.id)
        return RoleChange(RoleOutcome.CHANGED, person)

    async def _tell_role(self, person: Person, role: Role) -> None:
        if person.telegram_id is None or not person.reachable:
            return
        language = person.spoken_language
        if role is Role.GUEST:
            text = t(language, "roster.you_were_removed")
        else:
            text = t(language, "roster.your_role", role=t(language, f"core.role_{role.value}"))
        try:
            await self._messenger.send(person.telegram_id, text)
        except TelegramError as error:
            logger.warning("could not tell person %s of their role: %s", person.id, error)

    # Applications ----------------------------------------------------------------------------

    async def join_refusal(self, person: Person) -> JoinRefusal | None:
        """Why the person may not apply to join (only a guest without a pending one may)."""
        if person.role is not Role.GUEST:
            return JoinRefusal.ON_ROSTER
        if await self._applications.pending_application_of(person.id):
            return JoinRefusal.PENDING
        return None

    async def apply(
        self, person: Person, name: str, unit: str, language: Language
    ) -> Application | JoinRefusal:
        """Store a guest's application, or say why not (on the roster, one pending)."""
        if person.role is not Role.GUEST:
            return JoinRefusal.ON_ROSTER
        application_id = await self._applications.create_application(
            person.id, name, unit, language, self._clock.now()
        )
        if application_id is None:
            return JoinRefusal.PENDING
        application = await self._applications.get_application(application_id)
        return application if application is not None else JoinRefusal.PENDING

    async def application(self, application_id: int) -> Application | None:
        """The application with this id."""
        return await self._applications.get_application(application_id)

    async def card_sent(self, application: Application, chat_id: int, message_id: int) -> None:
        """Remember a secretariat member's copy of the request (to show the decision there)."""
        await self._applications.add_application_message(application.id, chat_id, message_id)

    async def card_copies(self, application: Application) -> list[tuple[int, int, Language]]:
        """Every copy of the request: chat, message, and its reader's language."""
        copies = []
        for chat_id, message_id in await self._applications.application_messages(application.id):
            reader = await self._people.get_by_telegram_id(chat_id)
            copies.append((chat_id, message_id, reader.spoken_language if reader else "zh"))
        return copies

    async def decide(
        self, application: Application, outcome: str, actor: Person
    ) -> tuple[bool, Application]:
        """Approve (as `member` or `council`) or decline; the first decision wins.

        (whether this one won, the application as decided)."""
        won = await self._applications.decide(application.id, outcome, actor.id, self._clock.now())
        decided = await self._applications.get_application(application.id) or application
        if won:
            await self._tell_applicant(decided)
            await sync_person(self._messenger.bot, self._people, self._roster, decided.person_id)
            await announce_joined(self.joined_hooks, decided.person_id)
        return won, decided

    async def _tell_applicant(self, application: Application) -> None:
        person = await self._people.get(application.person_id)
        if person is None or person.telegram_id is None:
            return
        language = person.language or application.language
        if application.status == "declined":
            text = t(language, "roster.join_declined")
        else:
            role = t(language, f"core.role_{application.status}")
            text = t(language, "roster.join_approved", name=application.name, role=role)
        try:
            await self._messenger.send(person.telegram_id, text)
        except TelegramError as error:
            logger.warning("could not tell applicant #%s: %s", application.id, error)

    # Imports sent to the bot -----------------------------------------------------------------

    async def plan(self, text: str) -> ImportPlan:
        """What importing the text would do."""
        return plan_import(text, await self._roster.entries())

    async def hold_upload(self, actor: Person, text: str, ttl: timedelta) -> int:
        """Keep an uploaded roster until its uploader confirms it."""
        return await self._uploads.add_upload(actor.id, text, self._clock.now(), ttl)

    async def take_upload(
        self, upload_id: int, actor: Person, status: str, ttl: timedelta
    ) -> Upload | None:
        """Close the uploader's pending upload (`imported` or `cancelled`)."""
        return await self._uploads.take_upload(upload_id, actor.id, status, self._clock.now(), ttl)

    async def import_confirmed(self, text: str, username: str, actor: Person) -> ImportReport:
        """Import an upload whose preview (secretariat changes listed) was confirmed."""
        plan = await self.plan(text)
        report = await apply_plan(
            self._roster, self._invites, plan, username, actor.id, self._clock.now()
        )
        await self.sync_stale_menus()
        return report
