"""Each person's command menu (setMyCommands for their chat) follows their role and language."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.commands import commands_for
from bot.i18n import t
from storage.people import Language, PeopleRepository, Person, Role
from storage.roster import RosterRepository

__all__ = ["commands_in", "menu_key", "set_default_menus", "sync_menu", "sync_stale_menus"]

logger = logging.getLogger(__name__)


def commands_in(role: Role, language: Language) -> list[BotCommand]:
    """The menu of a role in a language, descriptions from `commands.<name>`."""
    return [
        BotCommand(spec.name, t(language, f"commands.{spec.name}")) for spec in commands_for(role)
    ]


def menu_key(person: Person) -> str:
    """What the person's menu should show: role and language (`*` while unknown)."""
    return f"{person.role.value}:{person.language or '*'}"


async def set_default_menus(bot: Bot) -> None:
    """The guests' menu for every chat without its own: English, and Chinese for zh clients."""
    try:
        await bot.set_my_commands(commands_in(Role.GUEST, "en"), scope=BotCommandScopeDefault())
        await bot.set_my_commands(
            commands_in(Role.GUEST, "zh"), scope=BotCommandScopeDefault(), language_code="zh"
        )
    except TelegramError as error:
        logger.warning("could not set the default command menu: %s", error)


async def sync_menu(bot: Bot, roster: RosterRepository, person: Person) -> bool:
    """Set the person's chat menu when it shows another role or language; True if it was set."""
    if person.telegram_id is None:
        return False
    key = menu_key(person)
    old = await roster.menu_key(person.id)
    if old == key or (old is None and person.role is Role.GUEST):
        return False
    scope = BotCommandScopeChat(person.telegram_id)
    try:
        if person.language is None:
            await bot.set_my_commands(commands_in(person.role, "en"), scope=scope)
            await bot.set_my_commands(
                commands_in(person.role, "zh"), scope=scope, language_code="zh"
            )
        else:
            await bot.set_my_commands(commands_in(person.role, person.language), scope=scope)
            if old is None or old.endswith(":*"):
                await bot.delete_my_commands(scope=scope, language_code="zh")
    except TelegramError as error:
        logger.info("could not set the menu of person %s: %s", person.id, error)
        return False
    await roster.set_menu_key(person.id, key)
    return True


async def sync_person(
    bot: Bot, people: PeopleRepository, roster: RosterRepository, person_id: int
) -> None:
    """Bring one person's menu up to date (after a role or language change)."""
    person = await people.get(person_id)
    if person is not None:
        await sync_menu(bot, roster, person)


async def sync_stale_menus(
    bot: Bot, people: PeopleRepository, roster: RosterRepository, *, limit: int | None = None
) -> tuple[int, bool]:
    """Update up to `limit` stale menus; return (how many were set, whether more are stale)."""
    stale = await roster.stale_menus()
    batch = stale if limit is None else stale[:limit]
    done = 0
    for person_id in batch:
        person = await people.get(person_id)
        if person is not None and await sync_menu(bot, roster, person):
            done += 1
    return done, len(batch) < len(stale)


async def clear_menu(bot: Bot, telegram_id: int) -> None:
    """Drop a chat's own menu (after erasure) so the default one shows."""
    scope = BotCommandScopeChat(telegram_id)
    try:
        await bot.delete_my_commands(scope=scope)
        await bot.delete_my_commands(scope=scope, language_code="zh")
    except TelegramError as error:
        logger.info("could not clear a chat menu: %s", error)
