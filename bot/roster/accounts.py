"""A person's own account: who is writing, their language and news, their personal data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from bot.clock import Clock
from bot.messaging import Messenger
from bot.roster.menus import clear_menu, sync_person
from bot.roster.news import tell_secretariat_of
from bot.roster.privacy import PersonalDataRegistry, erase_personal_data, personal_data
from storage.database import Database
from storage.people import Language, PeopleRepository, Person, Role
from storage.roster import RosterRepository

__all__ = ["Accounts"]


class Accounts:
    """The rules of one person's own account; the chat and the console call it."""

    def __init__(self, *, db: Database, clock: Clock, messenger: Messenger) -> None:
        self._db = db
        self._people = PeopleRepository(db)
        self._roster = RosterRepository(db)
        self._clock = clock
        self._messenger = messenger
        # Each feature's share of /mydata and /forgetme (features add theirs at assembly).
        self.personal_data = PersonalDataRegistry()
        # Telegram ids with the secretariat's rights without being on the roster (the console's
        # operator): never invited, never counted, not a recipient of notices.
        self.operator_ids: set[int] = set()
        # Accounts whose person was found named since start-up: a bound person's name never
        # becomes empty again (erasure also unbinds), so they need no new check.
        self._named: set[int] = set()

    # Who is writing --------------------------------------------------------------------------

    async def caller(self, telegram_id: int, telegram_name: str) -> Person:
        """The person behind the account, fresh from the database (a guest on first contact);
        the console's operator has the secretariat's rights."""
        person = await self._people.ensure_telegram_user(
            telegram_id, telegram_name, self._clock.now()
        )
        if telegram_id in self.operator_ids and not person.role.at_least(Role.SECRETARIAT):
            person = replace(person, role=Role.SECRETARIAT)
        return person

    async def language_of(self, telegram_id: int) -> Language | None:
        """The language the account's person chose, if any."""
        person = await self._people.get_by_telegram_id(telegram_id)
        return person.language if person is not None else None

    async def spoken_language_of(self, telegram_id: int) -> Language:
        """The language to write to the account in (Chinese when nothing is known)."""
        person = await self._people.get_by_telegram_id(telegram_id)
        return person.spoken_language if person is not None else "zh"

    async def name_from_telegram(self, telegram_id: int, telegram_name: str) -> None:
        """A known person without a name takes the one they gave Telegram (checked once per
        account and start-up: the configured admins start out nameless)."""
        if telegram_id in self._named:
            return
        person = await self._people.get_by_telegram_id(telegram_id)
        if person is None:
            return
        if not person.name:
            await self._people.fill_empty_name(person.id, telegram_name[:100], self._clock.now())
        self._named.add(telegram_id)

    async def secretariat_chats(self) -> list[tuple[int, Language]]:
        """Every bound, reachable secretariat member's chat and the language to write in."""
        chats = []
        for chat_id in await self._people.secretariat_chat_ids():
            try:
                language = await self.spoken_language_of(chat_id)
            except Exception:  # an alert about a failing database still goes out
                language = "zh"
            chats.append((chat_id, language))
        return chats

    # Set by the assembly and the console -----------------------------------------------------

    async def make_secretariat(self, telegram_ids: Iterable[int]) -> None:
        """The configured admins are secretariat members (created nameless if new)."""
        now = self._clock.now()
        for telegram_id in sorted(telegram_ids):
            await self._people.ensure_role(telegram_id, Role.SECRETARIAT, "", now)

    async def console_operator(self, telegram_id: int) -> None:
        """The console's operator: a guest with the secretariat's rights, not on the roster."""
        now = self._clock.now()
        operator = await self._people.ensure_telegram_user(telegram_id, "Console", now)
        if operator.role is not Role.GUEST:
            # Older databases made the operator a secretariat roster entry: take it off.
            await self._roster.change_role(operator.id, Role.GUEST, None, now, "removed")
        self.operator_ids.add(telegram_id)

    async def bind(self, person_id: int, telegram_id: int) -> None:
        """Bind an account to a roster entry (the console speaking as that person)."""
        await self._people.bind_telegram_id(person_id, telegram_id, self._clock.now())

    # The person's own settings and data ------------------------------------------------------

    async def set_language(self, person: Person, language: Language) -> None:
        """Store the person's language; their menu follows it."""
        await self._people.set_language(person.id, language, self._clock.now())
        await sync_person(self._messenger.bot, self._people, self._roster, person.id)

    async def set_news(self, person: Person, enabled: bool) -> None:
        """Turn news notices on or off (official notices always arrive)."""
        await self._people.set_news_enabled(person.id, enabled, self._clock.now())

    async def export(self, person: Person) -> dict[str, Any]:
        """The /mydata document: everything held about the person."""
        return await personal_data(self._db, self.personal_data, person, self._clock.now())

    async def erase(self, person: Person) -> None:
        """Erase the person's personal data (ids and roles stay, so counts hold), drop their
        menu, and tell the secretariat when a roster entry went."""
        await erase_personal_data(self._db, self.personal_data, person, self._clock.now())
        if person.telegram_id is not None:
            await clear_menu(self._messenger.bot, person.telegram_id)
        if person.role is not Role.GUEST:
            await tell_secretariat_of(
                self._messenger,
                self._people,
                self._roster,
                "erased",
                person.role,
                person_id=person.id,
            )
